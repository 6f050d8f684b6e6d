import SwasmCLI

SwasmcCommand.main()
