package dev.bnserve.web;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A constant JSON answer: the cost of the HTTP and JSON stack alone, the floor predict is measured against. */
@RestController
class PingController {
    private static final Map<String, String> PONG = Map.of("status", "ok");

    @GetMapping("/ping")
    Map<String, String> ping() {
        return PONG;
    }
}
