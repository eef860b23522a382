package sctpdial

import (
	"encoding/binary"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

const (
	sctpGetAssocStats = 112 // SCTP_GET_ASSOC_STATS, linux/sctp.h

	// struct sctp_assoc_stats: sas_assoc_id, then the 128-byte
	// sas_obs_rto_ipaddr (struct __kernel_sockaddr_storage, aligned as a
	// pointer), then fifteen __u64 (aligned to 8 bytes except on 386):
	// offsets 8 and 136 on 64-bit systems.
	assocStatsAddrOff     = max(4, int(unsafe.Sizeof(uintptr(0))))
	assocStatsCountersOff = (assocStatsAddrOff + sizeofSockaddrSt + 7) &^ 7
	sizeofAssocStats      = assocStatsCountersOff + 15*8
)

// tickHz is the kernel's tick rate (CONFIG_HZ) once measured, 0 before:
// a constant of the running kernel, measured once per process (kernelHZ).
var tickHz atomic.Uint32

// AssocStats returns the association's counters (SCTP_GET_ASSOC_STATS).
// Reading them starts a new observation period for MaxRTO. Once the
// association has ended it fails with EINVAL.
func (c *Conn) AssocStats() (AssocStats, error) {
	var s AssocStats
	err := c.control("get", func(fd int) error {
		raw, err := getAssocStats(fd, c.assoc)
		if err != nil {
			return err
		}
		hz := tickHz.Load()
		if hz == 0 {
			// raw already started a new period at RTO.Min: measure now.
			hz = calibrateHZ(fd, c.assoc)
		}
		s = raw.stats(hz)
		return nil
	})
	return s, err
}

// NotificationCounts returns how many notifications of each kind c has
// read so far.
func (c *Conn) NotificationCounts() NotificationCounts {
	if c == nil {
		return NotificationCounts{}
	}
	n := &c.notifyCounts
	return NotificationCounts{
		AssocChange:    n[0].Load(),
		PeerAddrChange: n[1].Load(),
		SendFailed:     n[2].Load(),
		Shutdown:       n[3].Load(),
		SenderDry:      n[4].Load(),
		Other:          n[5].Load(),
	}
}

// notifyCounters are NotificationCounts' fields, in their order.
type notifyCounters [6]atomic.Uint64

// countNotification counts one notification read; nil is one of a kind
// this package does not model.
func (c *Conn) countNotification(n Notification) {
	i := 5
	switch n.(type) {
	case AssocChange:
		i = 0
	case PeerAddrChange:
		i = 1
	case SendFailed:
		i = 2
	case Shutdown:
		i = 3
	case SenderDry:
		i = 4
	}
	c.notifyCounts[i].Add(1)
}

// rawAssocStats is struct sctp_assoc_stats as the kernel fills it:
// sas_maxrto in jiffies (the kernel copies stats.max_obs_rto, which it
// compares with transport->rto, without converting it; linux/sctp.h and
// RFC 6458 would say milliseconds).
type rawAssocStats struct {
	maxRTOJiffies uint64
	s             AssocStats
}

func getAssocStats(fd int, assoc int32) (rawAssocStats, error) {
	var b [sizeofAssocStats]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	if _, err := getsockopt(fd, solSCTP, sctpGetAssocStats, b[:]); err != nil {
		return rawAssocStats{}, os.NewSyscallError("getsockopt", err)
	}
	return unmarshalAssocStats(b[:]), nil
}

// unmarshalAssocStats reads struct sctp_assoc_stats; the counters follow
// sas_maxrto in the header's order.
func unmarshalAssocStats(b []byte) rawAssocStats {
	off := assocStatsCountersOff
	if runtime.GOARCH == "386" {
		off = assocStatsAddrOff + sizeofSockaddrSt
	}
	u := func(i int) uint64 { return binary.NativeEndian.Uint64(b[off+8*i:]) }
	r := rawAssocStats{maxRTOJiffies: u(0), s: AssocStats{
		SACKsReceived:       u(1),  // sas_isacks
		SACKsSent:           u(2),  // sas_osacks
		PacketsSent:         u(3),  // sas_opackets
		PacketsReceived:     u(4),  // sas_ipackets
		RetransmittedChunks: u(5),  // sas_rtxchunks
		OutOfSeqTSNs:        u(6),  // sas_outofseqtsns
		DuplicateTSNs:       u(7),  // sas_idupchunks
		GapAcks:             u(8),  // sas_gapcnt
		UnorderedSent:       u(9),  // sas_ouodchunks
		UnorderedReceived:   u(10), // sas_iuodchunks
		OrderedSent:         u(11), // sas_oodchunks
		OrderedReceived:     u(12), // sas_iodchunks
		ControlSent:         u(13), // sas_octrlchunks
		ControlReceived:     u(14), // sas_ictrlchunks
	}}
	if a := parseSockaddrs(b[assocStatsAddrOff:assocStatsAddrOff+sizeofSockaddrSt], 1); len(a.IPAddrs) == 1 && !a.IPAddrs[0].IP.IsUnspecified() {
		r.s.MaxRTOAddr = a.IPAddrs[0]
	}
	return r
}

// stats converts the raw counters with the tick rate hz (0: unknown).
func (r rawAssocStats) stats(hz uint32) AssocStats {
	s := r.s
	s.MaxRTO = jiffiesToDuration(r.maxRTOJiffies, hz)
	return s
}

func jiffiesToDuration(j uint64, hz uint32) time.Duration {
	if hz == 0 {
		return 0
	}
	return time.Duration(j) * time.Second / time.Duration(hz)
}

// kernelHZ returns the kernel's tick rate, measuring it on the
// association of fd the first time (which starts a new MaxRTO period of
// that association), or 0 if that fails.
func kernelHZ(fd int, assoc int32) uint32 {
	if hz := tickHz.Load(); hz != 0 {
		return hz
	}
	if _, err := getAssocStats(fd, assoc); err != nil {
		return 0
	}
	return calibrateHZ(fd, assoc)
}

// calibrateHZ measures CONFIG_HZ, which no interface reports (sysconf's
// clock ticks are USER_HZ). Reading SCTP_GET_ASSOC_STATS sets the
// association's observed maximum RTO to its RTO.Min in jiffies
// (sctp_getsockopt_assoc_stats), and SCTP_RTOINFO reports RTO.Min in
// milliseconds: right after one stats read, a second one yields RTO.Min
// in jiffies, and the tick rate is the one of the kernel's choices that
// turns the one into the other (msecs_to_jiffies rounds up). fd's
// association must have just been read.
func calibrateHZ(fd int, assoc int32) uint32 {
	raw, err := getAssocStats(fd, assoc)
	if err != nil {
		return 0
	}
	rto, err := getRTOInfo(fd, assoc)
	if err != nil {
		return 0
	}
	hz := hzFrom(raw.maxRTOJiffies, rto.Min)
	if hz != 0 {
		tickHz.Store(hz)
	}
	return hz
}

// hzFrom returns the one CONFIG_HZ choice under which min is j jiffies,
// or 0 if none or several are.
func hzFrom(j uint64, min time.Duration) uint32 {
	ms := uint64(min / time.Millisecond)
	var found uint32
	for _, hz := range [...]uint64{100, 250, 300, 1000} { // kernel/Kconfig.hz
		if (ms*hz+999)/1000 == j {
			if found != 0 {
				return 0
			}
			found = uint32(hz)
		}
	}
	return found
}

// fillConnectDone adds what the kernel says about the new association to
// a ConnectDone event. Errors leave fields zero: the dial has succeeded.
func (c *Conn) fillConnectDone(info *ConnectDoneInfo) {
	// Statistics first, before anything else goes on the wire.
	if s, err := c.AssocStats(); err == nil && s.ControlSent > 0 {
		// The dialing side's control chunks up to ESTABLISHED are its
		// INITs and one COOKIE-ECHO.
		info.INITs = int(s.ControlSent) - 1
	}
	if st, err := c.Status(); err == nil {
		info.Primary = ipAddrToNetip(st.Primary.Addr)
	}
	if paths, err := c.Paths(); err == nil {
		info.Peers = paths
		info.Answered = answeredPath(paths)
	}
}
