import SwasmCLI

SpecCommand.main()
