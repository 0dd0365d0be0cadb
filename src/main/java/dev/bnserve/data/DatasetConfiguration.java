package dev.bnserve.data;

import dev.bnserve.config.BnserveProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring wiring for the dataset store; everything else in this package is framework-free. */
@Configuration(proxyBeanMethods = false)
class DatasetConfiguration {

    @Bean
    DatasetStore datasetStore(BnserveProperties properties) {
        DatasetStore store = new DatasetStore(properties.dataDir());
        store.load();
        return store;
    }
}
