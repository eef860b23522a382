package sctpdial

// isSelfConnect reads the association's local and peer address lists and
// reports whether they describe a self-connect (selfConnect). A failed read
// reports false: the dial goes on as without the guard.
func isSelfConnect(fd int, assoc int32) bool {
	local, err := getAddrs(fd, sctpGetLocalAddrs, assoc)
	if err != nil {
		return false
	}
	peer, err := getAddrs(fd, sctpGetPeerAddrs, assoc)
	if err != nil {
		return false
	}
	return selfConnect(local, peer)
}
