package loadtest

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a socket with raw non-blocking system calls. Go's syscall.Read and
// Write tell the scheduler they may block, and that wakes its monitor thread (sysmon) each
// time the process comes back from idle: for a load generator that sleeps between short
// answers, the wake-ups cost more CPU than the reads and writes. A read or write of a
// non-blocking socket does not block, so the raw call is enough; waiting for the socket still
// goes through the runtime's poller, with the connection's deadlines.
type rawIO struct {
	rc          syscall.RawConn
	buf         []byte // what the current call reads into or writes
	n           int
	errno       syscall.Errno
	read, write func(fd uintptr) bool
}

// newRawIO returns raw reads and writes of conn, or conn itself if it gives no raw access.
func newRawIO(conn net.Conn) io.ReadWriter {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return conn
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return conn
	}
	r := &rawIO{rc: rc}
	r.read = func(fd uintptr) bool { return r.call(syscall.SYS_READ, fd) }
	r.write = func(fd uintptr) bool { return r.call(syscall.SYS_WRITE, fd) }
	return r
}

// call reads or writes r.buf once; false when the socket is not ready.
func (r *rawIO) call(trap, fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(r.buf))), uintptr(len(r.buf)))
		switch errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), errno
		return true
	}
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.buf = p
	err := r.rc.Read(r.read)
	r.buf = nil
	switch {
	case err != nil:
		return 0, err
	case r.errno != 0:
		return 0, r.errno
	case r.n == 0:
		return 0, io.EOF
	}
	return r.n, nil
}

func (r *rawIO) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		r.buf = p[done:]
		err := r.rc.Write(r.write)
		r.buf = nil
		if err != nil {
			return done, err
		}
		if r.errno != 0 {
			return done, r.errno
		}
		if r.n == 0 {
			return done, io.ErrShortWrite
		}
		done += r.n
	}
	return done, nil
}
