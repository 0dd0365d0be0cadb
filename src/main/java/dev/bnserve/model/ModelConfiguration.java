package dev.bnserve.model;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.io.StorageQuota;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    @Bean
    ModelJson modelJson(JsonMapper mapper, BnserveProperties properties) {
        return new ModelJson(mapper, ModelJson.Limits.of(properties.limits()));
    }

    @Bean
    @ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "filesystem", matchIfMissing = true)
    ModelStore modelStore(BnserveProperties properties, ModelJson json, StorageQuota quota) {
        ModelStore store = new FileModelStore(properties.dataDir(), json, quota);
        store.load();
        return store;
    }

    @Bean
    @ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "filesystem", matchIfMissing = true)
    NameStore nameStore(BnserveProperties properties, JsonMapper mapper) {
        return new FileNameStore(properties.dataDir(), mapper);
    }

    @Bean
    ModelCatalog modelCatalog(ModelStore models, NameStore names) {
        return new ModelCatalog(models, names);
    }
}
