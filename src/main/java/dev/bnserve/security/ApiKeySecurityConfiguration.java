package dev.bnserve.security;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.web.ContentSecurityPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.savedrequest.NullRequestCache;

/**
 * Access control with an optional API key ({@code bnserve.security.api-key}).
 *
 * <ul>
 * <li>No key (the default): every request is permitted.</li>
 * <li>Key set: every state-changing request ({@code POST /datasets}, {@code DELETE /datasets/**},
 *     {@code POST /models}, {@code DELETE /models/**}, {@code POST /models/import}, and any other non-GET
 *     request not listed below) needs {@code Authorization: Bearer <key>}. {@code GET}/{@code HEAD}/{@code OPTIONS}
 *     (datasets, models, actuator, {@code /v3/api-docs/**}, {@code /swagger-ui/**}) stay open, and so does
 *     prediction ({@code POST /predict}, {@code POST /models/*}{@code /predict}, the Open Inference Protocol's
 *     {@code POST /v2/models/*}{@code /infer}) unless
 *     {@code bnserve.security.protect-predict=true}.</li>
 * </ul>
 *
 * Stateless token API: no session, no CSRF (no cookies are used for authentication), no form login, no HTTP
 * basic, no saved requests. Refusals are {@code application/problem+json}.
 *
 * <p>The {@link UserDetailsService} bean is empty on purpose: it keeps Spring Boot from creating its default
 * {@code user} with a generated password (and logging that password).
 */
@Configuration(proxyBeanMethods = false)
public class ApiKeySecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiKeySecurityConfiguration.class);

    /** The POSTs that only compute an answer: open unless protect-predict (Open Inference {@code infer} included). */
    static final String[] PREDICTION = {
        "/predict", "/models/*/predict", "/models/*/trace", "/v2/models/*/infer", "/v2/models/*/versions/*/infer"
    };

    @Bean
    SecurityFilterChain apiSecurityFilterChain(HttpSecurity http, BnserveProperties properties) throws Exception {
        BnserveProperties.Security settings = properties.security();
        boolean protectPredict = !settings.predictionOpen();

        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(new ProblemAuthenticationEntryPoint())
                        .accessDeniedHandler(new ProblemAccessDeniedHandler()))
                // Spring Security's default headers stay; a Content-Security-Policy joins them.
                .headers(headers -> headers.addHeaderWriter(new ContentSecurityPolicy()));

        if (!settings.keySet()) {
            if (settings.apiKey() != null && !settings.apiKey().isEmpty()) {
                log.warn("bnserve.security.api-key is blank; treating it as unset");
            }
            log.info("No API key configured (bnserve.security.api-key): every endpoint is open");
            http.authorizeHttpRequests(auth -> auth.anyRequest().permitAll());
            return http.build();
        }

        log.info(
                "API key required for state-changing requests{}",
                protectPredict ? " and for prediction" : "; prediction is open");
        http.addFilterBefore(
                        new ApiKeyAuthenticationFilter(
                                new ApiKeyVerifier(settings.apiKey().strip())),
                        AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> {
                    auth.requestMatchers("/error").permitAll();
                    if (protectPredict) {
                        auth.requestMatchers(HttpMethod.POST, PREDICTION).authenticated();
                    } else {
                        auth.requestMatchers(HttpMethod.POST, PREDICTION).permitAll();
                    }
                    // Metrics name models, routes and traffic: with a key set, only its holder reads them
                    // (Prometheus sends it with `authorization: {credentials: …}`). Health and info stay open.
                    auth.requestMatchers("/actuator/metrics", "/actuator/metrics/**", "/actuator/prometheus")
                            .authenticated();
                    auth.requestMatchers(HttpMethod.GET)
                            .permitAll()
                            .requestMatchers(HttpMethod.HEAD)
                            .permitAll()
                            .requestMatchers(HttpMethod.OPTIONS)
                            .permitAll()
                            // POST/DELETE /datasets and /models, /models/import, and anything else that changes state
                            .anyRequest()
                            .authenticated();
                });
        return http.build();
    }

    /** No users: the API key is the only credential, and Boot must not generate a default user and password. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }

    /**
     * No per-filter, authentication or authorization observations: {@code http.server.requests} already times every
     * request, and wrapping each security filter in an observation cost more than a whole prediction.
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Firewall refusals as problem+json 400s. */
    @Bean
    RequestRejectedHandler problemRequestRejectedHandler() {
        return new ProblemRequestRejectedHandler();
    }
}
