package dev.bnserve.web;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.ActionCode;
import org.apache.coyote.Adapter;
import org.apache.coyote.BadRequestException;
import org.apache.coyote.InputBuffer;
import org.apache.coyote.Processor;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's HTTP/1.1 connector with a floor under how fast a request body must arrive (issue 16, slow bodies): 230
 * connections trickling a 1,000-byte body held every request thread, because Tomcat's only bound is the wait for the
 * <em>next</em> bytes (the connection timeout, 10 s), which a byte a second never reaches.
 *
 * <p>Every body read of a request, whoever does it (a controller's stream, Jackson, Tomcat's multipart parser), goes
 * through {@link LimitedBody}, which counts the bytes and the time spent waiting for them. Before each read it shortens
 * the socket's read timeout to the moment the body would fall below {@link BodyReadLimits#minBytesPerSecond()} (once
 * the grace period has passed) or pass {@link BodyReadLimits#timeoutNanos()}, so a read that would wait longer ends
 * exactly then, inside Tomcat's own blocking read: the request thread is free at that moment, not when the client next
 * sends a byte. Tomcat answers a read timeout with 408 and closes the connection; the problem names the limit
 * ({@link BodyReadFailure}). A chunked body whose framing is broken becomes a {@link BodyReadFailure} too, a 400 that
 * says the chunk size is malformed instead of Tomcat's generic refusal.
 *
 * <p>Tomcat's {@code connectionUploadTimeout} (with {@code disableUploadTimeout=false}) was the other candidate: it
 * too bounds only the wait for the next bytes, so it cannot tell a trickle from a healthy body.
 *
 * <p>Tomcat creates its protocol handler from a class name, so this class is public with a no-argument constructor;
 * {@link BodyReadConfig} names it and sets its limits.
 */
public final class BodyReadProtocol extends Http11NioProtocol {
    private volatile BodyReadLimits limits = BodyReadLimits.NONE;
    /** Ends the body reads of chunked requests on time (see {@link LimitedProcessor.Alarm}); idle, it has no thread. */
    private final ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "bnserve-body-alarm");
        t.setDaemon(true);
        return t;
    });

    public BodyReadProtocol() {
        alarms.setRemoveOnCancelPolicy(true);
        alarms.setKeepAliveTime(10, TimeUnit.SECONDS);
        alarms.allowCoreThreadTimeOut(true);
    }

    void limits(BodyReadLimits limits) {
        this.limits = limits;
    }

    BodyReadLimits limits() {
        return limits;
    }

    @Override
    protected Processor createProcessor() {
        return new LimitedProcessor(this, getAdapter(), limits, alarms);
    }

    @Override
    public void destroy() throws Exception {
        alarms.shutdownNow();
        super.destroy();
    }

    /** The HTTP/1.1 processor, its request's input buffer wrapped in {@link LimitedBody}. */
    static final class LimitedProcessor extends Http11Processor {
        private final ScheduledExecutorService alarms;

        LimitedProcessor(
                AbstractHttp11Protocol<?> protocol,
                Adapter adapter,
                BodyReadLimits limits,
                ScheduledExecutorService alarms) {
            super(protocol, adapter);
            this.alarms = alarms;
            request.setInputBuffer(new LimitedBody(request.getInputBuffer(), limits));
        }

        /**
         * One body read of a chunked request may be many socket reads: Tomcat reads a chunk-size line, its extensions
         * and the trailer within it, each socket read with the timeout set before the body read began (a chunk
         * extension sent a byte a second was never answered). At the deadline this sets the socket's timeout to 1 ms,
         * so the next socket read that has to wait ends the body read. Disarmed before the timeout is restored, so it
         * never outlives its read.
         */
        private static final class Alarm implements Runnable {
            private final SocketWrapperBase<?> socket;
            private boolean armed = true;

            Alarm(SocketWrapperBase<?> socket) {
                this.socket = socket;
            }

            @Override
            public synchronized void run() {
                if (armed) socket.setReadTimeout(1);
            }

            synchronized void disarm() {
                armed = false;
            }
        }

        /**
         * Counts a request's body bytes and the time spent waiting for them, and ends a read when a limit is reached.
         * A processor serves one request at a time, its requests one after another: the counts start again with each
         * request (told apart by its start time).
         */
        private final class LimitedBody implements InputBuffer {
            private final InputBuffer body;
            private final BodyReadLimits limits;
            private long requestStart = Long.MIN_VALUE;
            private boolean chunked;
            private long bytes;
            private long waitedNanos;

            LimitedBody(InputBuffer body, BodyReadLimits limits) {
                this.body = body;
                this.limits = limits;
            }

            @Override
            public int doRead(ApplicationBufferHandler handler) throws IOException {
                try {
                    return read(handler);
                } catch (BodyReadFailure.TooSlow | BodyReadFailure.Malformed e) {
                    // The connection closes after the answer. Without this Tomcat would first read on ("swallow") the
                    // rest of the body, up to a buffer of it even with max-swallow-size 0 (so that a client still
                    // sending sees the answer): the thread would wait on for the trickle's next bytes.
                    request.action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                    throw e;
                }
            }

            private int read(ApplicationBufferHandler handler) throws IOException {
                if (request.getStartTimeNanos() != requestStart) {
                    requestStart = request.getStartTimeNanos();
                    chunked = isChunked();
                    bytes = 0;
                    waitedNanos = 0;
                }
                SocketWrapperBase<?> socket = socketWrapper;
                long allowedNanos = limits.allowedWaitNanos(bytes, waitedNanos);
                if (allowedNanos <= 0) throw limits.exceeded(bytes, waitedNanos);
                long original = socket == null ? 0 : socket.getReadTimeout();
                long allowedMillis = Math.max(1, (allowedNanos + 999_999) / 1_000_000);
                boolean shortened = socket != null && (original <= 0 || allowedMillis < original);
                if (shortened) socket.setReadTimeout(allowedMillis);
                Alarm alarm = shortened && chunked ? new Alarm(socket) : null;
                ScheduledFuture<?> ringing =
                        alarm == null ? null : alarms.schedule(alarm, allowedNanos, TimeUnit.NANOSECONDS);
                long t0 = System.nanoTime();
                int n;
                try {
                    n = body.doRead(handler);
                } catch (SocketTimeoutException e) {
                    waitedNanos += System.nanoTime() - t0;
                    throw shortened
                            ? limits.exceeded(bytes, waitedNanos)
                            : BodyReadFailure.timeout(
                                    "No request body bytes arrived for " + BodyReadLimits.seconds(original * 1_000_000)
                                            + " (server.tomcat.connection-timeout); the connection is closed.");
                } catch (BadRequestException e) {
                    if (e instanceof BodyReadFailure.Malformed || !chunked) throw e;
                    throw BodyReadFailure.malformedChunks(e);
                } finally {
                    if (alarm != null) {
                        alarm.disarm();
                        ringing.cancel(false);
                    }
                    if (shortened) socket.setReadTimeout(original);
                }
                waitedNanos += System.nanoTime() - t0;
                if (n > 0) bytes += n;
                return n;
            }

            @Override
            public int available() {
                return body.available();
            }

            private boolean isChunked() {
                String coding = request.getHeader("transfer-encoding");
                return coding != null && coding.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
    }
}
