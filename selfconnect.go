package sctpdial

import "github.com/ishidawataru/sctp"

// selfConnect reports whether an association with these local and peer
// address lists is connected to its own endpoint: the ports are equal and
// every peer address is one of the local ones. No other endpoint can hold
// the same port on the same addresses, so such an association is the
// simultaneous open of an INIT with itself, which happens when the kernel
// picks the destination port as the ephemeral local port and nobody
// listens there. Package net guards TCP against the same (selfConnect in
// tcpsock_posix.go, Go issue 2690), looking at the one address pair a TCP
// connection has; an association has a list on each side.
func selfConnect(local, peer *sctp.SCTPAddr) bool {
	if local == nil || peer == nil || local.Port != peer.Port || len(peer.IPAddrs) == 0 {
		return false
	}
	for _, p := range peer.IPAddrs {
		found := false
		for _, l := range local.IPAddrs {
			if l.IP.Equal(p.IP) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
