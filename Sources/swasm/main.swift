import SwasmCLI

SwasmCommand.main()
