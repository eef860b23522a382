package sctpdial

import (
	"encoding/binary"
	"io"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Control-message and flag values from include/uapi/linux/sctp.h.
const (
	sctpCmsgSndRcv  = 1 // SCTP_SNDRCV: struct sctp_sndrcvinfo
	sctpCmsgSndInfo = 2 // SCTP_SNDINFO: struct sctp_sndinfo
	sctpCmsgRcvInfo = 3 // SCTP_RCVINFO: struct sctp_rcvinfo

	sizeofSndInfo    = 16 // struct sctp_sndinfo
	sizeofRcvInfo    = 28 // struct sctp_rcvinfo (2 bytes of padding after rcv_flags)
	sizeofSndRcvInfo = 32 // struct sctp_sndrcvinfo (2 bytes of padding after sinfo_flags)

	msgNotification = 0x8000 // MSG_NOTIFICATION (enum sctp_msg_flags)
)

// rxCmsgSize holds an SCTP_RCVINFO control message plus an SCTP_NXTINFO
// and an SCTP_SNDRCV one, which appear when SCTP_RECVNXTINFO or the legacy
// sctp_data_io_event are switched on through SyscallConn.
const rxCmsgSize = 128

// rxState is the receive side of a Conn. Its mutex serialises Read and
// ReadMsg calls for their whole duration, poller wait included (os.File's
// RawRead serialises readers the same way through poll.FD's read lock, so
// no concurrency is lost): that lets one pre-bound closure and one
// control buffer serve every call without allocating. Close and deadlines
// still interrupt a waiting reader, since they act on the poller, not on
// this mutex.
type rxState struct {
	mu sync.Mutex
	fn func(fd uintptr) bool // c.recvOnce, bound on first use

	// Per call, guarded by mu.
	b        []byte
	wantInfo bool
	n        int
	flags    int
	errno    unix.Errno
	calls    int // recvOnce calls in this wait: more than one means woken
	info     MsgInfo
	notif    Notification // a complete notification this call read
	rcvInfo  bool         // SCTP_RECVRCVINFO is on
	cbuf     [rxCmsgSize]byte
	nbuf     []byte // a notification being reassembled from pieces
}

// txState is the send side of a Conn, built like rxState.
type txState struct {
	mu    sync.Mutex
	fn    func(fd uintptr) bool // c.sendOnce, bound on first use
	b     []byte
	oobn  int
	n     int
	errno unix.Errno
	calls int // sendOnce calls in this wait
	cbuf  [64]byte
}

// WriteMsg sends b as one SCTP message with the stream, PPID, flags and
// context of info, through sendmsg(2) with an SCTP_SNDINFO control message
// (struct sctp_sndinfo, RFC 6458 section 5.3.4). A nil info sends on
// stream 0 with PPID 0, as Write does. An empty b sends nothing, as SCTP
// has no empty messages. It does not allocate. A stream not below
// Status.OutStreams fails with an error that says so and matches
// syscall.EINVAL.
func (c *Conn) WriteMsg(b []byte, info *MsgInfo) (int, error) {
	n, err := c.send(b, info)
	if err != nil && info != nil {
		err = c.explainSendEINVAL(err, info.Stream)
	}
	return n, err
}

// ReadMsg reads one SCTP message, or the next piece of one, into b with
// recvmsg(2) and returns the SCTP_RCVINFO that came with it (struct
// sctp_rcvinfo, RFC 6458 section 5.3.5; SCTP_RECVRCVINFO is switched on
// at the first call).
//
// When the message is longer than b, ReadMsg returns len(b) bytes and
// ErrPartialMessage; the following calls return the rest with the same
// MsgInfo, the last one with a nil error. Notifications (see
// SetNotificationHandler) never come back as data. At the end of the
// association it returns io.EOF. It does not allocate.
func (c *Conn) ReadMsg(b []byte) (n int, info MsgInfo, err error) {
	if !c.ok() {
		return 0, MsgInfo{}, syscall.EINVAL
	}
	if len(b) == 0 {
		// An empty buffer would make no progress on a notification.
		return 0, MsgInfo{}, c.emptyIOErr("read")
	}
	n, info, eor, err := c.recv(b, true)
	if err == nil && !eor {
		err = ErrPartialMessage
	}
	return n, info, err
}

// recv reads one piece of a data message, handing every notification met
// on the way to the notification handler. eor reports that the piece ends
// the message.
func (c *Conn) recv(b []byte, wantInfo bool) (n int, info MsgInfo, eor bool, err error) {
	rx := &c.rx
	// calls starts at 1 after a notification: the EAGAIN that may follow
	// it is checked as one after a wakeup (see Conn.ended), since the
	// notification is the kernel's only word of some ends.
	calls := 0
	for {
		rx.mu.Lock()
		if rx.fn == nil {
			rx.fn = c.recvOnce
		}
		rx.b, rx.wantInfo = b, wantInfo
		rx.n, rx.flags, rx.errno, rx.notif, rx.calls = 0, 0, 0, nil, calls
		err = c.rc.Read(rx.fn)
		if err != nil && c.pollFault(err) {
			err = c.recvAfterPollFault()
		}
		n, flags, errno, notif := rx.n, rx.flags, rx.errno, rx.notif
		if wantInfo {
			info = rx.info
		}
		rx.b = nil
		rx.mu.Unlock()

		if err == nil && errno != 0 {
			err = errno
		}
		if err != nil {
			return 0, MsgInfo{}, false, c.opError("read", err)
		}
		if notif != nil {
			c.countNotification(notif)
			calls = 1
			// Called without the mutex held, so the handler may use c.
			if h := c.notifyHandler(notif); h != nil {
				h(notif)
			}
			continue
		}
		if n == 0 {
			// SCTP has no empty messages: a zero read is the end.
			return 0, MsgInfo{}, false, io.EOF
		}
		return n, info, flags&unix.MSG_EOR != 0, nil
	}
}

// recvOnce is the poller callback of recv. A notification is collected
// in nbuf piece by piece (the kernel splits it like data when b is short)
// and, once whole, parsed and handed back in rx.notif; data goes to the
// caller with its control messages parsed. Only EAGAIN makes it wait.
func (c *Conn) recvOnce(fd uintptr) bool {
	rx := &c.rx
	rx.calls++
	if rx.wantInfo && !rx.rcvInfo {
		if err := unix.SetsockoptInt(int(fd), solSCTP, sctpRecvRcvInfo, 1); err != nil {
			rx.errno = errnoOf(err)
			return true
		}
		rx.rcvInfo = true
	}
	for {
		var oob []byte
		if rx.wantInfo {
			oob = rx.cbuf[:]
		}
		n, oobn, flags, errno := recvmsg(int(fd), rx.b, oob)
		switch errno {
		case 0:
		case unix.EAGAIN:
			// A zero read (io.EOF) once the association is gone, as TCP
			// after a reset; see ended.
			return c.ended(fd, rx.calls > 1)
		case unix.EINTR:
			continue
		default:
			c.end.note(errno)
			rx.errno = errno
			return true
		}
		if flags&msgNotification == 0 {
			rx.n, rx.flags = n, flags
			if rx.wantInfo {
				rx.info = parseRcvCmsgs(rx.cbuf[:oobn])
			}
			return true
		}
		rx.nbuf = append(rx.nbuf, rx.b[:n]...)
		if flags&unix.MSG_EOR == 0 {
			continue
		}
		rx.notif = parseNotification(rx.nbuf)
		rx.nbuf = rx.nbuf[:0]
		if rx.notif != nil {
			return true
		}
		// A notification of a kind this package does not model (one
		// subscribed through SyscallConn): dropped, never returned as data.
		c.countNotification(nil)
	}
}

// send writes one message with sendmsg(2); info, if not nil, travels as
// an SCTP_SNDINFO control message. An empty b sends nothing: SCTP has no
// empty messages, and sendmsg(2) would answer EINVAL (sctp_sendmsg_parse).
func (c *Conn) send(b []byte, info *MsgInfo) (int, error) {
	if !c.ok() {
		return 0, syscall.EINVAL
	}
	if len(b) == 0 {
		return 0, c.emptyIOErr("write")
	}
	tx := &c.tx
	tx.mu.Lock()
	if tx.fn == nil {
		tx.fn = c.sendOnce
	}
	tx.b, tx.oobn = b, 0
	if info != nil {
		tx.oobn = putSndInfo(tx.cbuf[:], info)
	}
	tx.n, tx.errno, tx.calls = 0, 0, 0
	err := c.rc.Write(tx.fn)
	n, errno := tx.n, tx.errno
	tx.b = nil
	tx.mu.Unlock()
	if err == nil && errno != 0 {
		err = errno
	}
	if err != nil {
		return 0, c.opError("write", err)
	}
	return n, nil
}

func (c *Conn) sendOnce(fd uintptr) bool {
	tx := &c.tx
	tx.calls++
	for {
		// MSG_NOSIGNAL: a write after the peer's ABORT reports EPIPE
		// instead of raising SIGPIPE (sctp_error in net/sctp/socket.c).
		n, errno := sendmsg(int(fd), tx.b, tx.cbuf[:tx.oobn], unix.MSG_NOSIGNAL)
		switch errno {
		case unix.EAGAIN:
			if !c.ended(fd, tx.calls > 1) {
				return false
			}
			// The association ended while the send buffer was full:
			// poll never reports the socket writable again.
			errno = unix.EPIPE
		case unix.EINTR:
			continue
		case 0:
		default:
			c.end.note(errno)
		}
		tx.n, tx.errno = n, errno
		return true
	}
}

// recvmsg is recvmsg(2) without a source address (unix.Recvmsg would
// allocate one per call: SCTP fills msg_name even on a connected socket).
// The errno stays an unix.Errno so that EAGAIN costs no allocation.
func recvmsg(fd int, b, oob []byte) (n, oobn, flags int, errno unix.Errno) {
	var iov unix.Iovec
	msg := msghdr(&iov, b, oob)
	r, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), 0)
	if e != 0 {
		return 0, 0, 0, e
	}
	return int(r), int(msg.Controllen), int(msg.Flags), 0
}

// msghdr points a struct msghdr at one buffer and a control buffer, with
// iov the caller's (stack) iovec.
func msghdr(iov *unix.Iovec, b, oob []byte) unix.Msghdr {
	if len(b) > 0 {
		iov.Base = &b[0]
		iov.SetLen(len(b))
	}
	var msg unix.Msghdr
	msg.Iov = iov
	msg.SetIovlen(1)
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	return msg
}

// sendmsg is sendmsg(2) on a connected socket.
func sendmsg(fd int, b, oob []byte, flags int) (int, unix.Errno) {
	var iov unix.Iovec
	msg := msghdr(&iov, b, oob)
	r, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
	if e != 0 {
		return 0, e
	}
	return int(r), 0
}

// sizeofCmsgLen is the size of struct cmsghdr's cmsg_len, a size_t; Linux
// aligns control messages to it as well (CMSG_ALIGN).
const sizeofCmsgLen = int(unsafe.Sizeof(unix.Cmsghdr{}.Len))

func cmsgAlign(n int) int { return (n + sizeofCmsgLen - 1) &^ (sizeofCmsgLen - 1) }

// putCmsgHdr writes a struct cmsghdr for dataLen bytes of data and
// returns where the data starts.
func putCmsgHdr(b []byte, level, typ int32, dataLen int) int {
	hdr := cmsgAlign(sizeofCmsgLen + 8)
	if sizeofCmsgLen == 8 {
		binary.NativeEndian.PutUint64(b, uint64(hdr+dataLen))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(hdr+dataLen))
	}
	binary.NativeEndian.PutUint32(b[sizeofCmsgLen:], uint32(level))
	binary.NativeEndian.PutUint32(b[sizeofCmsgLen+4:], uint32(typ))
	return hdr
}

// putSndInfo writes an SCTP_SNDINFO control message into b (at least 32
// bytes) and returns its length, CMSG_SPACE(sizeof(struct sctp_sndinfo)).
// The PPID goes big-endian: the kernel copies snd_ppid into the DATA chunk
// unchanged (RFC 6458 section 5.3.2: "the SCTP stack performs no byte
// order modification of this field").
func putSndInfo(b []byte, info *MsgInfo) int {
	off := putCmsgHdr(b, unix.IPPROTO_SCTP, sctpCmsgSndInfo, sizeofSndInfo)
	d := b[off : off+sizeofSndInfo]
	binary.NativeEndian.PutUint16(d[0:], info.Stream)
	binary.NativeEndian.PutUint16(d[2:], uint16(info.Flags))
	binary.BigEndian.PutUint32(d[4:], info.PPID)
	binary.NativeEndian.PutUint32(d[8:], info.Context)
	binary.NativeEndian.PutUint32(d[12:], uint32(info.AssocID))
	return cmsgAlign(off + sizeofSndInfo)
}

// parseRcvCmsgs finds the SCTP_RCVINFO (or, failing that, the legacy
// SCTP_SNDRCV) control message in b without allocating.
func parseRcvCmsgs(b []byte) MsgInfo {
	var info MsgInfo
	found := false
	hdr := cmsgAlign(sizeofCmsgLen + 8)
	for len(b) >= hdr {
		var l int
		if sizeofCmsgLen == 8 {
			l = int(binary.NativeEndian.Uint64(b))
		} else {
			l = int(binary.NativeEndian.Uint32(b))
		}
		if l < hdr || l > len(b) {
			break
		}
		level := int32(binary.NativeEndian.Uint32(b[sizeofCmsgLen:]))
		typ := int32(binary.NativeEndian.Uint32(b[sizeofCmsgLen+4:]))
		d := b[hdr:l]
		if level == unix.IPPROTO_SCTP {
			switch {
			case typ == sctpCmsgRcvInfo && len(d) >= sizeofRcvInfo:
				return MsgInfo{
					Stream:  binary.NativeEndian.Uint16(d[0:]),
					Flags:   MsgFlags(binary.NativeEndian.Uint16(d[4:])),
					PPID:    binary.BigEndian.Uint32(d[8:]),
					Context: binary.NativeEndian.Uint32(d[20:]),
					AssocID: int32(binary.NativeEndian.Uint32(d[24:])),
				}
			case typ == sctpCmsgSndRcv && len(d) >= sizeofSndRcvInfo && !found:
				info, found = parseSndRcvInfo(d), true
			}
		}
		next := cmsgAlign(l)
		if next > len(b) {
			break
		}
		b = b[next:]
	}
	return info
}

// parseSndRcvInfo reads a struct sctp_sndrcvinfo (RFC 6458 section 5.3.2).
func parseSndRcvInfo(d []byte) MsgInfo {
	return MsgInfo{
		Stream:  binary.NativeEndian.Uint16(d[0:]),
		Flags:   MsgFlags(binary.NativeEndian.Uint16(d[4:])),
		PPID:    binary.BigEndian.Uint32(d[8:]),
		Context: binary.NativeEndian.Uint32(d[12:]),
		AssocID: int32(binary.NativeEndian.Uint32(d[28:])),
	}
}

// errnoOf extracts the errno x/sys/unix returns as an error.
func errnoOf(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EINVAL
}
