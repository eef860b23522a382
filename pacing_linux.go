package sctpdial

import (
	"encoding/binary"
	"os"

	"github.com/ishidawataru/sctp"
)

// apply lowers the endpoint's initial RTO (SCTP_RTOINFO with association
// id 0, which the association inherits in sctp_association_init) to the
// paced value if the kernel's is higher, and raises SCTP_INITMSG
// sinit_max_attempts if the kernel would stop before every address had an
// INIT. It runs after the Dialer's own options and before the control
// hooks, so a hook still has the last word.
func (pc *initPacing) apply(fd int) error {
	if pc == nil {
		return nil
	}
	cur, err := getRTOInfo(fd, 0)
	if err != nil {
		return err
	}
	if pc.rto < cur.Initial {
		if err := setRTOInfo(fd, 0, RTOInfo{Initial: pc.rto}); err != nil {
			return err
		}
		pc.set, pc.orig = true, cur.Initial
		pc.setInit, _ = millis(pc.rto)
	}
	if pc.attempts {
		var b [8]byte
		if _, err := getsockopt(fd, solSCTP, sctpInitMsg, b[:]); err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		// 1 + sinit_max_attempts INITs in all (sctp_sf_t1_init_timer_expire).
		if n := int(binary.NativeEndian.Uint16(b[4:])); n+1 < pc.addrs {
			if err := setInitMsg(fd, sctp.InitMsg{MaxAttempts: uint16(min(pc.addrs-1, 0xffff))}); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepHookChoice forgets the restore when a control hook changed the
// initial RTO after apply: the hook's value is the caller's choice.
func (pc *initPacing) keepHookChoice(fd int) error {
	if pc == nil || !pc.set {
		return nil
	}
	cur, err := getRTOInfo(fd, 0)
	if err != nil {
		return err
	}
	if ms, _ := millis(cur.Initial); ms != pc.setInit {
		pc.set = false
	}
	return nil
}

// restore sets the association's initial RTO back to the value read before
// pacing. The kernel keeps it in jiffies (msecs_to_jiffies), so it reads
// back rounded up to the tick.
func (pc *initPacing) restore(fd int, assoc int32) error {
	if pc == nil || !pc.set {
		return nil
	}
	return setRTOInfo(fd, assoc, RTOInfo{Initial: pc.orig})
}
