package vmtest

import "golang.org/x/sys/unix"

// HostHasSCTP reports whether this kernel opens an SCTP socket. It returns
// the error of socket(2) when it does not (EPROTONOSUPPORT without the sctp
// module, EAFNOSUPPORT/EACCES under some sandboxes).
func HostHasSCTP() (bool, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	if err != nil {
		return false, err
	}
	unix.Close(fd)
	return true, nil
}
