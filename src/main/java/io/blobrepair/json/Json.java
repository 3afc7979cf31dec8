package io.blobrepair.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper every part of the service reads and writes JSON with (thread-safe once configured). */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
