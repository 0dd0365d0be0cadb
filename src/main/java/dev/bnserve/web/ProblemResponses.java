package dev.bnserve.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;

/**
 * Writes the small RFC 9457 bodies ({@code status}, {@code title}, {@code detail}) of the layers that answer before
 * Spring MVC (security, the body-size cap, the container's error report), shaped like {@link ApiExceptionHandler}'s.
 * Callers pass fixed texts; nothing from the request (and never an API key) is echoed.
 */
public final class ProblemResponses {

    private ProblemResponses() {}

    public static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = json(status, title, detail).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** The problem document as JSON text. */
    public static String json(int status, String title, String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"" + escape(title) + "\",\"status\":" + status + ",\"detail\":\""
                + escape(detail) + "\"}";
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
