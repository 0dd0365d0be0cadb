package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.data.FileDatasetStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring wiring of the stores, which are framework-free themselves. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    @Bean
    DatasetStore datasetStore(BnserveProperties properties) {
        FileDatasetStore store = new FileDatasetStore(properties.dataDir());
        store.load();
        return store;
    }
}
