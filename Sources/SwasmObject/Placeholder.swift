import CLibElf
