package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.CacheControlHeadersWriter;
import org.springframework.security.web.header.writers.CompositeHeaderWriter;
import org.springframework.security.web.header.writers.HstsHeaderWriter;
import org.springframework.security.web.header.writers.XContentTypeOptionsHeaderWriter;
import org.springframework.security.web.header.writers.XXssProtectionHeaderWriter;
import org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter;

/**
 * Registers {@link PredictFastPath} after the HTTP metrics and {@link RequestSizeFilter}. While prediction is open it
 * runs before Spring Security's chain, which would only permit the request: its firewall concerns cannot arise on the
 * strict paths the fast path takes, and the fast path writes the chain's default headers with the chain's own writers.
 * When prediction needs the key, it runs after the chain.
 */
@Configuration(proxyBeanMethods = false)
class PredictFastPathConfiguration {

    /** The header writers Spring Security's {@code HeadersConfigurer} installs by default, in its order, and the CSP. */
    static HeaderWriter defaultSecurityHeaders() {
        return new CompositeHeaderWriter(List.of(
                new XContentTypeOptionsHeaderWriter(),
                new XXssProtectionHeaderWriter(),
                new CacheControlHeadersWriter(),
                new HstsHeaderWriter(),
                new XFrameOptionsHeaderWriter(XFrameOptionsHeaderWriter.XFrameOptionsMode.DENY),
                new ContentSecurityPolicy()));
    }

    @Bean
    FilterRegistrationBean<PredictFastPath> predictFastPath(
            PredictionCodec codec, ApiExceptionHandler errors, BnserveProperties properties) {
        boolean open = properties.security().predictionOpen();
        FilterRegistrationBean<PredictFastPath> registration = new FilterRegistrationBean<>(
                new PredictFastPath(codec, errors, open ? defaultSecurityHeaders() : null));
        registration.setOrder(open ? RequestSizeFilter.ORDER + 10 : Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
