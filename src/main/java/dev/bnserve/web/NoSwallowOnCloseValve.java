package dev.bnserve.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * An answer that closes its connection (a {@code Connection: close} refusal: the per-address cap's 503, a 413 before
 * the body is read; or any status Tomcat closes on) does not wait to read on through the rest of the request body.
 * Tomcat otherwise "swallows" after the answer, and even with {@code max-swallow-size} 0 it first reads one more
 * buffer (so that a client still sending sees the answer): a refused client that sends its headers and then a byte
 * every few seconds held a request thread that long per connection. With 300 such connections from one address, all
 * 200 request threads were blocked in reads, 136 of them after their 503, despite
 * {@code bnserve.limits.max-connections-per-address} = 64.
 */
final class NoSwallowOnCloseValve extends ValveBase {

    NoSwallowOnCloseValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        try {
            getNext().invoke(request, response);
        } finally {
            if (closes(response)) request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
        }
    }

    private static boolean closes(Response response) {
        // Only the service's own refusals of slow or flooding clients: for other closing statuses (a 413, a 400) a
        // client may still be sending a fast body, and Tomcat's one-buffer read lets it see the answer instead of a
        // reset (FuzzTest met such a reset once in a clean-clone run)
        return "close".equalsIgnoreCase(response.getHeader("Connection")) || response.getStatus() == 408;
    }
}
