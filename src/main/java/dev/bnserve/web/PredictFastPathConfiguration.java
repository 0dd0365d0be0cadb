package dev.bnserve.web;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import dev.bnserve.predict.PredictionService;
import tools.jackson.databind.json.JsonMapper;

/** Registers {@link PredictFastPath} as the last filter: after security, metrics and {@link RequestSizeFilter}. */
@Configuration(proxyBeanMethods = false)
class PredictFastPathConfiguration {

    @Bean
    FilterRegistrationBean<PredictFastPath> predictFastPath(PredictionService predictions, ApiExceptionHandler errors, JsonMapper mapper) {
        FilterRegistrationBean<PredictFastPath> registration = new FilterRegistrationBean<>(new PredictFastPath(predictions, errors, mapper));
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
