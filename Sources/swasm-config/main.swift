import Foundation
import SwasmCLI

exit(ConfigCommand.main(Array(CommandLine.arguments.dropFirst())))
