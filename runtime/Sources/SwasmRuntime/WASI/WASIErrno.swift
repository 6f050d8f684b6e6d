// WASI preview 1 constants: errno values, file types, flags and rights, with
// the mapping from Linux errno values.

/// A WASI `errno` (the value every preview-1 function returns).
public enum WASIErrno: UInt16, Error, Sendable {
    case success = 0, toobig = 1, acces = 2, addrinuse = 3, addrnotavail = 4, afnosupport = 5, again = 6,
         already = 7, badf = 8, badmsg = 9, busy = 10, canceled = 11, child = 12, connaborted = 13,
         connrefused = 14, connreset = 15, deadlk = 16, destaddrreq = 17, dom = 18, dquot = 19, exist = 20,
         fault = 21, fbig = 22, hostunreach = 23, idrm = 24, ilseq = 25, inprogress = 26, intr = 27,
         inval = 28, io = 29, isconn = 30, isdir = 31, loop = 32, mfile = 33, mlink = 34, msgsize = 35,
         multihop = 36, nametoolong = 37, netdown = 38, netreset = 39, netunreach = 40, nfile = 41,
         nobufs = 42, nodev = 43, noent = 44, noexec = 45, nolck = 46, nolink = 47, nomem = 48, nomsg = 49,
         noprotoopt = 50, nospc = 51, nosys = 52, notconn = 53, notdir = 54, notempty = 55,
         notrecoverable = 56, notsock = 57, notsup = 58, notty = 59, nxio = 60, overflow = 61,
         ownerdead = 62, perm = 63, pipe = 64, proto = 65, protonosupport = 66, prototype = 67, range = 68,
         rofs = 69, spipe = 70, srch = 71, stale = 72, timedout = 73, txtbsy = 74, xdev = 75,
         notcapable = 76

    /// The WASI errno for a Linux errno value (EIO for anything unknown).
    init(host: Int32) {
        let table: [Int32: WASIErrno] = [
            1: .perm, 2: .noent, 3: .srch, 4: .intr, 5: .io, 6: .nxio, 7: .toobig, 8: .noexec, 9: .badf,
            10: .child, 11: .again, 12: .nomem, 13: .acces, 14: .fault, 16: .busy, 17: .exist, 18: .xdev,
            19: .nodev, 20: .notdir, 21: .isdir, 22: .inval, 23: .nfile, 24: .mfile, 25: .notty, 26: .txtbsy,
            27: .fbig, 28: .nospc, 29: .spipe, 30: .rofs, 31: .mlink, 32: .pipe, 33: .dom, 34: .range,
            35: .deadlk, 36: .nametoolong, 37: .nolck, 38: .nosys, 39: .notempty, 40: .loop, 42: .nomsg,
            43: .idrm, 67: .nolink, 71: .proto, 72: .multihop, 74: .badmsg, 75: .overflow, 84: .ilseq,
            88: .notsock, 89: .destaddrreq, 90: .msgsize, 91: .prototype, 92: .noprotoopt,
            93: .protonosupport, 95: .notsup, 97: .afnosupport, 98: .addrinuse, 99: .addrnotavail,
            100: .netdown, 101: .netunreach, 102: .netreset, 103: .connaborted, 104: .connreset,
            105: .nobufs, 106: .isconn, 107: .notconn, 110: .timedout, 111: .connrefused,
            113: .hostunreach, 114: .already, 115: .inprogress, 116: .stale, 122: .dquot, 125: .canceled,
            130: .ownerdead, 131: .notrecoverable,
        ]
        self = table[host] ?? .io
    }
}

/// `filetype`.
enum WASIFiletype {
    static let unknown: UInt8 = 0, blockDevice: UInt8 = 1, characterDevice: UInt8 = 2, directory: UInt8 = 3,
               regularFile: UInt8 = 4, socketDgram: UInt8 = 5, socketStream: UInt8 = 6, symbolicLink: UInt8 = 7
}

/// `fdflags`, `oflags`, `lookupflags`, `fstflags`.
enum WASIFlags {
    static let append: UInt16 = 1, dsync: UInt16 = 2, nonblock: UInt16 = 4, rsync: UInt16 = 8, sync: UInt16 = 16
    static let creat: UInt16 = 1, directory: UInt16 = 2, excl: UInt16 = 4, trunc: UInt16 = 8
    static let symlinkFollow: UInt32 = 1
    static let atim: UInt16 = 1, atimNow: UInt16 = 2, mtim: UInt16 = 4, mtimNow: UInt16 = 8
}

/// `rights` bits.
enum WASIRights {
    static let fdDatasync: UInt64 = 1 << 0, fdRead: UInt64 = 1 << 1, fdSeek: UInt64 = 1 << 2,
               fdFdstatSetFlags: UInt64 = 1 << 3, fdSync: UInt64 = 1 << 4, fdTell: UInt64 = 1 << 5,
               fdWrite: UInt64 = 1 << 6, fdAdvise: UInt64 = 1 << 7, fdAllocate: UInt64 = 1 << 8,
               pathCreateDirectory: UInt64 = 1 << 9, pathCreateFile: UInt64 = 1 << 10,
               pathLinkSource: UInt64 = 1 << 11, pathLinkTarget: UInt64 = 1 << 12, pathOpen: UInt64 = 1 << 13,
               fdReaddir: UInt64 = 1 << 14, pathReadlink: UInt64 = 1 << 15, pathRenameSource: UInt64 = 1 << 16,
               pathRenameTarget: UInt64 = 1 << 17, pathFilestatGet: UInt64 = 1 << 18,
               pathFilestatSetSize: UInt64 = 1 << 19, pathFilestatSetTimes: UInt64 = 1 << 20,
               fdFilestatGet: UInt64 = 1 << 21, fdFilestatSetSize: UInt64 = 1 << 22,
               fdFilestatSetTimes: UInt64 = 1 << 23, pathSymlink: UInt64 = 1 << 24,
               pathRemoveDirectory: UInt64 = 1 << 25, pathUnlinkFile: UInt64 = 1 << 26,
               pollFdReadwrite: UInt64 = 1 << 27, sockShutdown: UInt64 = 1 << 28, sockAccept: UInt64 = 1 << 29

    static let all: UInt64 = (1 << 30) - 1
    /// What a regular file or character device may do.
    static let file: UInt64 = fdDatasync | fdRead | fdSeek | fdFdstatSetFlags | fdSync | fdTell | fdWrite
        | fdAdvise | fdAllocate | fdFilestatGet | fdFilestatSetSize | fdFilestatSetTimes | pollFdReadwrite
    /// What a directory may do (and pass on).
    static let directory: UInt64 = fdFdstatSetFlags | fdSync | fdAdvise | pathCreateDirectory | pathCreateFile
        | pathLinkSource | pathLinkTarget | pathOpen | fdReaddir | pathReadlink | pathRenameSource
        | pathRenameTarget | pathFilestatGet | pathFilestatSetSize | pathFilestatSetTimes | fdFilestatGet
        | fdFilestatSetTimes | pathSymlink | pathRemoveDirectory | pathUnlinkFile
}
