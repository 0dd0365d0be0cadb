package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service's connector is a {@link BodyReadProtocol}, with {@code bnserve.limits.min-body-rate},
 * {@code body-rate-grace} and {@code body-timeout}, and an answer that closes its connection does not read on through
 * the body ({@link NoSwallowOnCloseValve}). (A separate management port keeps Tomcat's own connector: its
 * requests have no bodies to speak of.)
 */
@Configuration(proxyBeanMethods = false)
class BodyReadConfig {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> bodyReadLimits(BnserveProperties properties) {
        BodyReadLimits limits = BodyReadLimits.of(properties.limits());
        return factory -> {
            factory.setProtocol(BodyReadProtocol.class.getName());
            factory.addEngineValves(new NoSwallowOnCloseValve());
            factory.addProtocolHandlerCustomizers(
                    (TomcatProtocolHandlerCustomizer<BodyReadProtocol>) protocol -> protocol.limits(limits));
        };
    }
}
