package sctpdial

import (
	"net"
	"os"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

// IntoSCTPConn hands the association over to an *sctp.SCTPConn of
// github.com/ishidawataru/sctp, for code that type-asserts one (go-diameter,
// go-m3ua). It consumes c: on success c is closed and the association lives
// on in the returned SCTPConn alone; the caller closes that.
//
// SCTPConn reads with a raw recvmsg(2) that would fail with EAGAIN on a
// non-blocking descriptor, so the descriptor is duplicated
// (F_DUPFD_CLOEXEC), c is closed (waiting for its pending Reads and Writes
// to return net.ErrClosed), and only then is O_NONBLOCK cleared: a
// duplicate shares the file status flags, so no I/O of c may run after
// that. From then on the SCTPConn's calls block an OS thread each, and
// its deadlines do not work (ishidawataru/sctp's own limits).
//
// The notifications c subscribed to are switched off, since an SCTPConn
// without a notification handler would return them as data; any already
// queued stay in the receive queue. If the descriptor cannot be
// duplicated (EMFILE), c is unchanged and still usable; a later failure
// leaves the association closed.
func (c *Conn) IntoSCTPConn() (*sctp.SCTPConn, error) {
	nfd := -1
	err := c.control("file", func(fd int) (err error) {
		nfd, err = dupFD(fd)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.closed.Swap(true) {
		unix.Close(nfd)
		return nil, c.opError("file", net.ErrClosed)
	}
	// os.File.Close on a pollable descriptor returns only once every
	// pending operation has (poll.FD.Close waits on csema).
	err = c.f.Close()
	if err == nil && (c.notify.Swap(nil) != nil || c.wrShut.Load()) {
		err = subscribe(nfd, c.assoc, 0)
	}
	if err == nil {
		err = os.NewSyscallError("fcntl", unix.SetNonblock(nfd, false))
	}
	if err != nil {
		unix.Close(nfd)
		return nil, c.opError("file", err)
	}
	return sctp.NewSCTPConn(nfd, nil), nil
}
