package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

@SpringBootApplication
@EnableConfigurationProperties(BnserveProperties.class)
public class BnserveApplication {
    public static void main(String[] args) {
        SpringApplication.run(BnserveApplication.class, args);
    }
}
