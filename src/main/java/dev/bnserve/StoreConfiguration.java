package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.DatasetStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring wiring of the stores, which are framework-free themselves. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    @Bean
    DatasetStore datasetStore(BnserveProperties properties) {
        DatasetStore store = new DatasetStore(properties.dataDir());
        store.load();
        return store;
    }
}
