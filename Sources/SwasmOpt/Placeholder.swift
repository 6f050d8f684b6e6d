import SwasmIR
