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

    /** Predictions (before {@link PredictFastPath}), and the 503 for an out-of-memory error of any request. */
    @Bean
    FilterRegistrationBean<HeapAdmissionFilter> heapAdmissionFilter(HeapBudget budget, BnserveProperties properties) {
        return registration(budget, properties, false, "heapAdmission", HeapAdmissionFilter.ORDER);
    }

    /** Dataset uploads, after the API key is checked. */
    @Bean
    FilterRegistrationBean<HeapAdmissionFilter> uploadHeapAdmissionFilter(
            HeapBudget budget, BnserveProperties properties) {
        return registration(budget, properties, true, "uploadHeapAdmission", HeapAdmissionFilter.UPLOAD_ORDER);
    }

    private static FilterRegistrationBean<HeapAdmissionFilter> registration(
            HeapBudget budget, BnserveProperties properties, boolean uploads, String name, int order) {
        FilterRegistrationBean<HeapAdmissionFilter> registration = new FilterRegistrationBean<>(
                new HeapAdmissionFilter(budget, properties.limits().maxRequestValues(), uploads));
        registration.setName(name);
        registration.setOrder(order);
        return registration;
    }
}
