import SDSCommands
import SDSCore

Failpoint.checkEnvironment()
SDS.main()
