package sctpdial

import (
	"encoding/binary"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

// getAddrs reads SCTP_GET_LOCAL_ADDRS or SCTP_GET_PEER_ADDRS: a struct
// sctp_getaddrs {assoc_id, addr_num} followed by the packed addresses. On a
// one-to-one socket, assoc id 0 names the socket's association; for local
// addresses it names the endpoint's bound set (every host address on a
// wildcard-bound client), so callers pass the real id where they have it.
func getAddrs(fd, opt int, assoc int32) (*sctp.SCTPAddr, error) {
	// Eight IPv6 addresses fit, which covers nearly every association;
	// grow on ENOMEM, the kernel's "buffer too small" (sctp_copy_laddrs,
	// sctp_getsockopt_peer_addrs).
	size := 8 + 8*sizeofSockaddrInet6
	for {
		buf := make([]byte, size)
		binary.NativeEndian.PutUint32(buf, uint32(assoc))
		_, err := getsockopt(fd, solSCTP, opt, buf)
		if err == unix.ENOMEM && size < 1<<20 {
			size *= 4
			continue
		}
		if err != nil {
			return nil, err
		}
		n := int(binary.NativeEndian.Uint32(buf[4:]))
		return parseSockaddrs(buf[8:], n), nil
	}
}
