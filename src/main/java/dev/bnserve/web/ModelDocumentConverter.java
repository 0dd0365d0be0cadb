package dev.bnserve.web;

import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import io.swagger.v3.oas.models.media.ObjectSchema;
import java.io.IOException;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a {@link ModelRecord} returned by a controller as the full model document, streamed by {@link ModelJson}
 * straight to the response (chunked, no tree, no copy in memory). Write-only: imports are read by the controller
 * from the request stream, so that a bad document is a 422 naming the field. Registered ahead of Jackson's converter,
 * which would otherwise serialize the record as a bean.
 */
@Component
class ModelDocumentConverter extends AbstractHttpMessageConverter<ModelRecord> {
    static {
        // Documented as a plain JSON object (the versioned model format in the README), not the record's fields.
        SpringDocUtils.getConfig()
                .replaceWithSchema(
                        ModelRecord.class,
                        new ObjectSchema()
                                .description("A model document, format 'bnserve-model' version " + ModelJson.VERSION
                                        + " (see the README)."));
    }

    private final ModelJson json;

    /** Writing needs no limits, so the converter has its own writer: every web slice gets it without the store's. */
    ModelDocumentConverter(JsonMapper mapper) {
        super(MediaType.APPLICATION_JSON);
        this.json = new ModelJson(mapper);
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return ModelRecord.class.isAssignableFrom(clazz);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return false;
    }

    @Override
    protected ModelRecord readInternal(Class<? extends ModelRecord> clazz, HttpInputMessage inputMessage) {
        throw new HttpMessageNotReadableException("model documents are read by the controller", inputMessage);
    }

    @Override
    protected void writeInternal(ModelRecord model, HttpOutputMessage outputMessage) throws IOException {
        try {
            json.write(model, outputMessage.getBody());
        } catch (JacksonIOException e) {
            throw e.getCause(); // the client went away: as for any other response
        }
    }
}
