use crate::common::spawn_app;

#[tokio::test]
async fn openapi_document_describes_every_catalog_endpoint() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/categories",
        "/api/v1/products",
        "/api/v1/products/{id_or_slug}",
        "/api/v1/products/{id}/availability",
        "/api/v1/branches",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing from OpenAPI");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/products"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["category", "kind", "q", "page", "per_page"] {
        assert!(params.contains(&p), "parameter {p}");
    }
    for schema in ["ProductDto", "ProductPage", "Money", "Problem", "BranchDto", "AvailabilityDto", "CategoryDto"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }
}

#[tokio::test]
async fn api_reference_page_is_readable_html_from_our_own_assets() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/api/docs?lang=en").await;
    assert_eq!(status, 200);
    assert!(html.contains("API reference"));
    assert!(html.contains("/api/v1/products/{id}/availability"));
    assert!(html.contains("/api/openapi.json"));
    assert!(!html.contains("https://"), "nothing is fetched from elsewhere");
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(app.get_text("/healthz").await, (200, "ok".to_string()));
    assert_eq!(app.get_text("/readyz").await, (200, "ready".to_string()));
}
