package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/sctpdial/sctpdial"
)

// maxMessage is the largest message read or sent in one piece: 64 KiB,
// the most the kernel fragments without the sender's SCTP_MAXSEG help.
const maxMessage = 64 << 10

// sendInfo is the MsgInfo of every message sent.
func (o *options) sendInfo() *sctpdial.MsgInfo {
	info := &sctpdial.MsgInfo{Stream: uint16(o.stream), PPID: uint32(o.ppid)}
	if o.unordered {
		info.Flags |= sctpdial.MsgUnordered
	}
	return info
}

// pipe sends stdin as messages and writes received messages to stdout
// until the association ends, ctx is done, or stdin has ended and the
// peer stayed quiet for o.quiet (never with -watch or -l). It returns nil when
// the association ended normally.
func pipe(ctx context.Context, c *sctpdial.Conn, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	var stdinDone atomic.Bool
	quietDeadline := func() {
		// A listener serves until the peer closes.
		if o.quiet >= 0 && !o.watch && !o.listen {
			c.SetReadDeadline(time.Now().Add(o.quiet))
		}
	}
	recvDone := make(chan error, 1)
	go func() {
		recvDone <- receive(c, o, stdout, stderr, func() {
			if stdinDone.Load() {
				quietDeadline()
			}
		})
	}()

	sendDone := make(chan error, 1)
	if stdin != nil {
		go func() { sendDone <- send(c, o, stdin) }()
	}

	var err error
	for {
		select {
		case err = <-recvDone:
		case serr := <-sendDone:
			sendDone = nil
			if serr != nil {
				c.Close()
				<-recvDone
				return serr
			}
			stdinDone.Store(true)
			quietDeadline()
			continue
		case <-ctx.Done():
			c.Close()
			<-recvDone
			return ctx.Err()
		}
		break
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = nil // the quiet period after stdin ended
	}
	// The sender may be blocked reading stdin, which cannot be
	// interrupted; closing the association makes its next write fail.
	if cerr := c.Close(); err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// receive writes every message to stdout until the association ends;
// afterEach runs after each message.
func receive(c *sctpdial.Conn, o *options, stdout, stderr io.Writer, afterEach func()) error {
	buf := make([]byte, maxMessage)
	for {
		n, info, err := c.ReadMsg(buf)
		if n > 0 {
			if o.verbose {
				fmt.Fprintf(stderr, "sctpdial: received %d bytes, stream %d, ppid %d%s\n", n, info.Stream, info.PPID, flagNote(info.Flags))
			}
			if _, werr := stdout.Write(buf[:n]); werr != nil {
				return werr
			}
			afterEach()
		}
		switch {
		case err == nil, errors.Is(err, sctpdial.ErrPartialMessage):
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}

func flagNote(f sctpdial.MsgFlags) string {
	if f == 0 {
		return ""
	}
	return ", " + f.String()
}

// send sends stdin as messages, one per read or per line, until stdin
// ends (nil) or a send fails.
func send(c *sctpdial.Conn, o *options, stdin io.Reader) error {
	info := o.sendInfo()
	if o.msgMode == "line" {
		br := bufio.NewReaderSize(stdin, maxMessage)
		for {
			line, err := br.ReadSlice('\n')
			if len(line) > 0 {
				if _, werr := c.WriteMsg(line, info); werr != nil {
					return werr
				}
			}
			switch {
			case err == nil, errors.Is(err, bufio.ErrBufferFull):
			case errors.Is(err, io.EOF):
				return nil
			default:
				return err
			}
		}
	}
	buf := make([]byte, maxMessage)
	for {
		n, err := stdin.Read(buf)
		if n > 0 {
			if _, werr := c.WriteMsg(buf[:n], info); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// echo sends every message back on its stream with its PPID until the
// association ends.
func echo(c *sctpdial.Conn, o *options, stderr io.Writer) error {
	buf := make([]byte, maxMessage)
	for {
		n, info, err := c.ReadMsg(buf)
		if n > 0 {
			if o.verbose {
				fmt.Fprintf(stderr, "sctpdial: echoing %d bytes, stream %d, ppid %d%s\n", n, info.Stream, info.PPID, flagNote(info.Flags))
			}
			out := &sctpdial.MsgInfo{Stream: info.Stream, PPID: info.PPID, Flags: info.Flags & sctpdial.MsgUnordered}
			if _, werr := c.WriteMsg(buf[:n], out); werr != nil {
				return werr
			}
		}
		switch {
		case err == nil, errors.Is(err, sctpdial.ErrPartialMessage):
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}
