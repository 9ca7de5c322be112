import SDSCommands

SDS.main()
