package sctpdial

import (
	"encoding/binary"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Notification types (enum sctp_sn_type, linux/sctp.h) and the SCTP_EVENT
// option.
const (
	sctpAssocChange     = 0x8001 // SCTP_ASSOC_CHANGE
	sctpPeerAddrChange  = 0x8002 // SCTP_PEER_ADDR_CHANGE
	sctpSendFailed      = 0x8003 // SCTP_SEND_FAILED
	sctpShutdownEvent   = 0x8005 // SCTP_SHUTDOWN_EVENT
	sctpSenderDryEvent  = 0x8009 // SCTP_SENDER_DRY_EVENT
	sctpSendFailedEvent = 0x800d // SCTP_SEND_FAILED_EVENT, delivered instead of SCTP_SEND_FAILED when subscribed

	sctpEventOpt = 127 // SCTP_EVENT: struct sctp_event

	sizeofSCTPEvent      = 8   // struct sctp_event: assoc id, u16 type, u8 on, padding
	sizeofAssocChange    = 20  // struct sctp_assoc_change without sac_info
	sizeofPaddrChange    = 148 // struct sctp_paddr_change, packed, aligned(4)
	sizeofSendFailed     = 48  // struct sctp_send_failed without ssf_data
	sizeofSendFailedEv   = 32  // struct sctp_send_failed_event without ssfe_data
	sizeofShutdownEvent  = 12  // struct sctp_shutdown_event
	sizeofSenderDryEvent = 12  // struct sctp_sender_dry_event
)

// eventTypes maps each EventMask bit to its notification type.
var eventTypes = [...]struct {
	mask EventMask
	typ  uint16
}{
	{EventAssocChange, sctpAssocChange},
	{EventPeerAddrChange, sctpPeerAddrChange},
	{EventSendFailed, sctpSendFailed},
	{EventShutdown, sctpShutdownEvent},
	{EventSenderDry, sctpSenderDryEvent},
}

// SetNotificationHandler subscribes to the notifications in events
// (SCTP_EVENT, struct sctp_event, RFC 6458 section 6.2.2; on kernels
// without it, SCTP_EVENTS) and unsubscribes from the others this package models.
// Each notification is parsed and passed to h from the goroutine calling
// Read or ReadMsg, before that call goes on waiting for data: h runs only
// while someone reads, must not block for long, and may use c. A nil h or
// a zero events unsubscribes from them all.
//
// Read and ReadMsg never return a notification as data, whether or not a
// handler is set: they read with recvmsg(2) and drop what arrives with
// MSG_NOTIFICATION and no handler to take it.
func (c *Conn) SetNotificationHandler(events EventMask, h func(Notification)) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	var cfg *notifyConfig
	if h != nil && events != 0 {
		cfg = &notifyConfig{h: h, events: events}
	}
	c.notifyMu.Lock()
	defer c.notifyMu.Unlock()
	// The new configuration is in place before the kernel is told: a new
	// handler is ready for the first notification, and subscribed() no
	// longer lists what is being switched off. Notifications of those
	// types that the kernel queued before reach no handler and are dropped.
	prev := c.notify.Swap(cfg)
	err := c.control("set", func(fd int) error { return subscribe(fd, c.assoc, c.subscribed()) })
	if err != nil {
		c.notify.Store(prev)
	}
	return err
}

// notifyConfig is what SetNotificationHandler asked for.
type notifyConfig struct {
	h      func(Notification)
	events EventMask
}

// subscribed is the set of notification types the association must be
// subscribed to: the handler's, plus SCTP_ASSOC_CHANGE after CloseWrite
// and on every accepted association (see Listener.AcceptSCTP). The
// caller holds notifyMu.
func (c *Conn) subscribed() EventMask {
	var m EventMask
	if cfg := c.notify.Load(); cfg != nil {
		m = cfg.events
	}
	if c.wrShut.Load() || c.accepted {
		m |= EventAssocChange
	}
	return m
}

// notifyHandler returns the handler if it asked for n's type, or nil.
func (c *Conn) notifyHandler(n Notification) func(Notification) {
	cfg := c.notify.Load()
	if cfg == nil || cfg.events&eventOf(n) == 0 {
		return nil
	}
	return cfg.h
}

// eventOf is the EventMask bit that subscribes to n's type.
func eventOf(n Notification) EventMask {
	switch n.(type) {
	case AssocChange:
		return EventAssocChange
	case PeerAddrChange:
		return EventPeerAddrChange
	case SendFailed:
		return EventSendFailed
	case Shutdown:
		return EventShutdown
	case SenderDry:
		return EventSenderDry
	}
	return 0
}

// assocGone reports that the socket's association no longer exists:
// SCTP_STATUS finds none (sctp_id2assoc returns NULL, EINVAL). Read and
// Write ask on every EAGAIN, so the answer is not unmarshalled: that
// allocated five times per wait.
func assocGone(fd int) bool {
	var b [sizeofStatus]byte
	_, err := getsockopt(fd, solSCTP, sctpStatus, b[:])
	return err == unix.EINVAL
}

// subscribe switches each modelled notification type on or off. SCTP_EVENT
// on a one-to-one socket applies to its association (sctp_setsockopt_event
// → sctp_assoc_ulpevent_type_set); older kernels lack it (ENOPROTOOPT)
// and take the whole SCTP_EVENTS bitmap instead.
func subscribe(fd int, assoc int32, events EventMask) error {
	for _, e := range eventTypes {
		b := marshalSCTPEvent(assoc, e.typ, events&e.mask != 0)
		if _, err := setsockopt(fd, solSCTP, sctpEventOpt, b[:]); err != nil {
			if err == unix.ENOPROTOOPT {
				return subscribeLegacy(fd, events)
			}
			return os.NewSyscallError("setsockopt", err)
		}
	}
	return nil
}

// subscribeLegacy is subscribe through SCTP_EVENTS: struct
// sctp_event_subscribe has one byte per type, at type − SCTP_SN_TYPE_BASE
// (sctp_setsockopt_events). It reads the current bitmap first so that
// types this package does not model keep their setting.
func subscribeLegacy(fd int, events EventMask) error {
	var b [11]byte // struct sctp_event_subscribe up to sctp_stream_reset_event, Linux 3.x
	n, err := getsockopt(fd, solSCTP, sctpEvents, b[:])
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	setEventBytes(b[:n], events)
	if _, err := setsockopt(fd, solSCTP, sctpEvents, b[:n]); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// setEventBytes sets the struct sctp_event_subscribe bytes of the
// modelled types.
func setEventBytes(b []byte, events EventMask) {
	for _, e := range eventTypes {
		if i := int(e.typ) - 0x8000; i < len(b) {
			b[i] = 0
			if events&e.mask != 0 {
				b[i] = 1
			}
		}
	}
}

// marshalSCTPEvent lays out struct sctp_event.
func marshalSCTPEvent(assoc int32, typ uint16, on bool) [sizeofSCTPEvent]byte {
	var b [sizeofSCTPEvent]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	binary.NativeEndian.PutUint16(b[4:], typ)
	if on {
		b[6] = 1
	}
	return b
}

// parseNotification decodes a whole notification (union
// sctp_notification: u16 type, u16 flags, u32 length, then the type's
// fields). It returns nil for types it does not model and for short input.
func parseNotification(b []byte) Notification {
	if len(b) < 8 {
		return nil
	}
	typ := binary.NativeEndian.Uint16(b[0:])
	flags := binary.NativeEndian.Uint16(b[2:])
	if l := int(binary.NativeEndian.Uint32(b[4:])); l >= 8 && l < len(b) {
		b = b[:l]
	}
	switch typ {
	case sctpAssocChange:
		if len(b) < sizeofAssocChange {
			return nil
		}
		return AssocChange{
			State:      AssocChangeState(binary.NativeEndian.Uint16(b[8:])),
			Error:      binary.NativeEndian.Uint16(b[10:]),
			OutStreams: binary.NativeEndian.Uint16(b[12:]),
			InStreams:  binary.NativeEndian.Uint16(b[14:]),
			AssocID:    int32(binary.NativeEndian.Uint32(b[16:])),
		}
	case sctpPeerAddrChange:
		if len(b) < sizeofPaddrChange {
			return nil
		}
		n := PeerAddrChange{
			State:   PeerAddrState(binary.NativeEndian.Uint32(b[136:])),
			Error:   int32(binary.NativeEndian.Uint32(b[140:])),
			AssocID: int32(binary.NativeEndian.Uint32(b[144:])),
		}
		if a := parseSockaddrs(b[8:136], 1); len(a.IPAddrs) == 1 {
			n.Addr = a.IPAddrs[0]
		}
		return n
	case sctpSendFailed:
		if len(b) < sizeofSendFailed {
			return nil
		}
		return SendFailed{
			Sent:    flags == 1, // SCTP_DATA_SENT
			Error:   binary.NativeEndian.Uint32(b[8:]),
			Info:    parseSndRcvInfo(b[12:44]),
			AssocID: int32(binary.NativeEndian.Uint32(b[44:])),
			Data:    append([]byte(nil), b[sizeofSendFailed:]...),
		}
	case sctpSendFailedEvent:
		if len(b) < sizeofSendFailedEv {
			return nil
		}
		return SendFailed{
			Sent:  flags == 1,
			Error: binary.NativeEndian.Uint32(b[8:]),
			Info: MsgInfo{ // struct sctp_sndinfo
				Stream:  binary.NativeEndian.Uint16(b[12:]),
				Flags:   MsgFlags(binary.NativeEndian.Uint16(b[14:])),
				PPID:    binary.BigEndian.Uint32(b[16:]),
				Context: binary.NativeEndian.Uint32(b[20:]),
				AssocID: int32(binary.NativeEndian.Uint32(b[24:])),
			},
			AssocID: int32(binary.NativeEndian.Uint32(b[28:])),
			Data:    append([]byte(nil), b[sizeofSendFailedEv:]...),
		}
	case sctpShutdownEvent:
		if len(b) < sizeofShutdownEvent {
			return nil
		}
		return Shutdown{AssocID: int32(binary.NativeEndian.Uint32(b[8:]))}
	case sctpSenderDryEvent:
		if len(b) < sizeofSenderDryEvent {
			return nil
		}
		return SenderDry{AssocID: int32(binary.NativeEndian.Uint32(b[8:]))}
	}
	return nil
}
