// Placeholder until the sensor operators land.
enum SDSSensorsPlaceholder {}
