package dev.bnserve.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Installs {@link ProblemErrorReportValve} as the embedded Tomcat host's error report. */
@Configuration(proxyBeanMethods = false)
class TomcatErrorReportConfig {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReport() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host)
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
        });
    }
}
