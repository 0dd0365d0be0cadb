package dev.bnserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class BnserveApplication {
    public static void main(String[] args) {
        SpringApplication.run(BnserveApplication.class, args);
    }
}
