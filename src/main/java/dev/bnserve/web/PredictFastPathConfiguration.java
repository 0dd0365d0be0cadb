package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.predict.PredictionService;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers {@link PredictFastPath} after the HTTP metrics and {@link RequestSizeFilter}. While prediction is open
 * (no API key, or {@code bnserve.security.protect-predict=false}) it runs before Spring Security's chain, which
 * would only permit the request: its firewall concerns cannot arise on the strict paths the fast path takes, and the
 * fast path writes the same security headers. When prediction needs the key, it runs after the chain.
 */
@Configuration(proxyBeanMethods = false)
class PredictFastPathConfiguration {

    @Bean
    FilterRegistrationBean<PredictFastPath> predictFastPath(
            PredictionService predictions,
            ApiExceptionHandler errors,
            JsonMapper mapper,
            BnserveProperties properties) {
        BnserveProperties.Security security = properties.security();
        boolean open = security.apiKey() == null || security.apiKey().isBlank() || !security.protectPredict();
        FilterRegistrationBean<PredictFastPath> registration =
                new FilterRegistrationBean<>(new PredictFastPath(predictions, errors, mapper, open));
        registration.setOrder(open ? RequestSizeFilter.ORDER + 10 : Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
