package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.data.FileDatasetStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring wiring of the filesystem store (the default), which is framework-free itself. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    @Bean
    @ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "filesystem", matchIfMissing = true)
    DatasetStore datasetStore(BnserveProperties properties) {
        FileDatasetStore store = new FileDatasetStore(properties.dataDir());
        store.load();
        return store;
    }
}
