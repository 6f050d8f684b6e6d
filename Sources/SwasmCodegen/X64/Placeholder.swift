import SwasmABI
