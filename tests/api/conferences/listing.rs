//! The conference list: pages, filters and accent-free search.

use super::*;

#[actix_web::test]
async fn the_list_pages_and_filters_by_status_and_local_date() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    // 2030-07-18T23:30Z is already 19 July in Hà Nội.
    let july19 = app
        .published_conference(
            &token,
            json!({"starts_at": "2030-07-18T23:30:00Z", "ends_at": "2030-07-19T10:00:00Z"}),
        )
        .await;
    let july20 = app.conference(&token, json!({"starts_at": "2030-07-20T08:00:00+07:00", "ends_at": "2030-07-20T12:00:00+07:00"})).await;
    app.conference(
        &token,
        json!({"starts_at": "2030-08-01T08:00:00+07:00", "ends_at": "2030-08-01T12:00:00+07:00"}),
    )
    .await;

    let ids = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let in_range = app
        .get(
            "/api/v1/conferences?from=2030-07-19&to=2030-07-20",
            Some(&token),
        )
        .await;
    assert_eq!(
        ids(&in_range),
        vec![
            july19["id"].as_str().unwrap(),
            july20["id"].as_str().unwrap()
        ]
    );
    let drafts = app
        .get("/api/v1/conferences?status=draft", Some(&token))
        .await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 2);

    let page1 = app.get("/api/v1/conferences?limit=2", Some(&token)).await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/conferences?limit=2&cursor={cursor}"),
            Some(&token),
        )
        .await;
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2.body["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn search_ignores_accents_and_case_including_d_with_stroke() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    app.conference(&token, json!({"title": "Hội thảo Sản xuất sạch hơn"}))
        .await;
    app.conference(&token, json!({"title": "Đào tạo khuyến công"}))
        .await;

    let titles = |r: crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=san%20xuat%20SACH", Some(&token))
                .await
        ),
        vec!["Hội thảo Sản xuất sạch hơn"]
    );
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=dao%20tao", Some(&token))
                .await
        ),
        vec!["Đào tạo khuyến công"]
    );
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=%C4%91%C3%A0o", Some(&token))
                .await
        ),
        vec!["Đào tạo khuyến công"]
    );
    assert!(titles(app.get("/api/v1/conferences?q=100%25", Some(&token)).await).is_empty());
}
