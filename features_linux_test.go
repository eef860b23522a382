package sctpdial

import (
	"context"
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Options that I-DATA needs besides net.sctp.intl_enable
// (Documentation/networking/ip-sysctl.rst; include/uapi/linux/sctp.h).
const (
	sctpFragmentInterleaveOpt = 18 // SCTP_FRAGMENT_INTERLEAVE: int
)

// interleavingControl asks for I-DATA on a socket before its handshake:
// SCTP_FRAGMENT_INTERLEAVE 2, then SCTP_INTERLEAVING_SUPPORTED 1 for
// future associations (the kernel refuses the second without the first).
func interleavingControl(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), solSCTP, sctpFragmentInterleaveOpt, 2); serr != nil {
			return
		}
		var b [8]byte // struct sctp_assoc_value{SCTP_FUTURE_ASSOC (0), 1}
		binary.NativeEndian.PutUint32(b[4:], 1)
		_, serr = setsockopt(int(fd), solSCTP, sctpInterleavingSupportedOpt, b[:])
	})
	if err != nil {
		return err
	}
	return serr
}

// TestFeatures negotiates associations under different sysctls (both
// ends are in this guest, so both see them) and checks what each side
// reports: the guest kernel's defaults offer PR-SCTP and ECN only.
func TestFeatures(t *testing.T) {
	requireGuest(t)
	for _, tt := range []struct {
		name    string
		sysctls map[string]string
		control func(network, address string, c syscall.RawConn) error
		want    Features
	}{
		{name: "defaults", want: Features{PartialReliability: true, ECN: true}},
		{name: "all on", sysctls: map[string]string{
			"net.sctp.reconf_enable": "1", "net.sctp.intl_enable": "1",
			"net.sctp.auth_enable": "1", "net.sctp.addip_enable": "1",
		}, control: interleavingControl,
			want: Features{PartialReliability: true, StreamReconfig: true, Interleaving: true, ASCONF: true, AUTH: true, ECN: true}},
		{name: "I-DATA needs the socket options too", sysctls: map[string]string{"net.sctp.intl_enable": "1"},
			want: Features{PartialReliability: true, ECN: true}},
		{name: "PR-SCTP and ECN off", sysctls: map[string]string{
			"net.sctp.prsctp_enable": "0", "net.sctp.ecn_enable": "0",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.sysctls {
				setSysctl(t, k, v)
			}
			l := listenT(t, &ListenConfig{Control: tt.control}, "sctp4", "127.0.0.1:0")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d := Dialer{Control: tt.control}
			dialed, err := d.DialSCTP(ctx, "sctp4", HostPort(l.Addr()))
			require.NoError(t, err)
			defer dialed.Close()
			require.NoError(t, l.SetDeadline(time.Now().Add(10*time.Second)))
			accepted, err := l.AcceptSCTP()
			require.NoError(t, err)
			defer accepted.Close()
			for side, c := range map[string]*Conn{"dialed": dialed, "accepted": accepted} {
				f, err := c.Features()
				require.NoError(t, err, side)
				require.Equal(t, tt.want, f, side)
			}
		})
	}
}
