package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.data.FileDatasetStore;
import dev.bnserve.io.StorageQuota;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring wiring of the filesystem store (the default), which is framework-free itself. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    /** The storage quota shared by the filesystem dataset and model stores (bnserve.limits.max-storage). */
    @Bean
    @ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "filesystem", matchIfMissing = true)
    StorageQuota storageQuota(BnserveProperties properties) {
        return new StorageQuota(
                properties.dataDir(), properties.limits().maxStorage().toBytes());
    }

    @Bean
    @ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "filesystem", matchIfMissing = true)
    DatasetStore datasetStore(BnserveProperties properties, StorageQuota quota) {
        FileDatasetStore store = new FileDatasetStore(properties.dataDir(), quota);
        store.load();
        return store;
    }
}
