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
        if ("close".equalsIgnoreCase(response.getHeader("Connection"))) return true;
        return switch (response.getStatus()) {
            case 400, 408, 411, 413, 414, 500, 501, 503 -> true; // the statuses Tomcat closes the connection on
            default -> false;
        };
    }
}
