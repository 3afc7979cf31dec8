package io.blobrepair.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Posts blobs to a node the way peers replicate: multipart field "files", file name = CID. */
public final class Multipart {

    private Multipart() {
    }

    public static HttpResponse<String> postBlobs(String nodeUrl, Map<String, byte[]> filesByName) throws Exception {
        return postBlobs(nodeUrl, filesByName, "application/octet-stream");
    }

    /** As the reference's replication posts them, with {@code partType} as each part's Content-Type. */
    public static HttpResponse<String> postBlobs(String nodeUrl, Map<String, byte[]> filesByName, String partType) throws Exception {
        String boundary = "blob-repair-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> file : filesByName.entrySet()) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + file.getKey()
                    + "\"\r\nContent-Type: " + partType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(file.getValue());
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(nodeUrl + "/internal/blobs"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
