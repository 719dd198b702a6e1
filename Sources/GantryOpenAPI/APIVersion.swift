/// The generated types, server protocol and client of `openapi.yaml` live in this module; so does
/// `OpenAPIDocument.text`, the document itself, embedded at build time.
public enum APIVersion {
    public static let prefix = "/api/v1"
}
