package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.problem.HeapBudget;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link HeapBudget} of the process ({@code bnserve.limits.heap-budget}) and its request boundary. */
@Configuration(proxyBeanMethods = false)
class HeapConfiguration {

    @Bean
    HeapBudget heapBudget(BnserveProperties properties) {
        return new HeapBudget(properties.limits().heapBudget());
    }

    @Bean
    FilterRegistrationBean<HeapAdmissionFilter> heapAdmissionFilter(HeapBudget budget, BnserveProperties properties) {
        FilterRegistrationBean<HeapAdmissionFilter> registration = new FilterRegistrationBean<>(
                new HeapAdmissionFilter(budget, properties.limits().maxRequestValues()));
        registration.setOrder(HeapAdmissionFilter.ORDER);
        return registration;
    }
}
