package dev.bnserve.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of a problem's {@code errors} array. Null members are omitted from JSON.
 *
 * @param field   request field (JSON property or parameter) at fault
 * @param row     1-based line in an uploaded file
 * @param column  column name (or 1-based index) in an uploaded file
 * @param message what is wrong, for a person
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldError(String field, Integer row, String column, String message) {

    public static FieldError ofField(String field, String message) {
        return new FieldError(field, null, null, message);
    }

    public static FieldError ofCell(Integer row, String column, String message) {
        return new FieldError(null, row, column, message);
    }
}
