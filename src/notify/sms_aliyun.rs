//! Alibaba Cloud SMS (短信服务, `dysmsapi` SendSms): the RPC request signed
//! exactly as the provider documents it (sorted, RFC 3986-encoded parameters,
//! `GET&%2F&…` string to sign, Base64 of HMAC-SHA1 keyed with the AccessKey
//! secret and `&`), and sent with an approved template and its parameters only:
//! the provider refuses free text.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::channel::{Channel, ChannelKind, Outgoing, SendError, SendFuture};
use crate::domain::Msg;

/// The provider's public endpoint (mainland China).
pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
/// The SendSms API version for mainland China.
pub const API_VERSION: &str = "2017-05-25";
/// The longest template parameter value the provider takes.
pub const MAX_PARAM_CHARS: usize = 35;

/// A community's SMS account: what is shown back on the settings page. The
/// AccessKey secret is kept apart and never shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AliyunConfig {
    /// Where requests go; the provider's endpoint unless a test or a proxy says otherwise.
    pub endpoint: String,
    pub access_key_id: String,
    /// The approved signature (签名) shown in 【】 before each message.
    pub sign_name: String,
    #[serde(default = "default_region")]
    pub region_id: String,
    /// The approved notice template used when a notice brings none; its
    /// variables are `${title}` and `${path}` (the page, after the site's address).
    #[serde(default)]
    pub template_code: String,
}

/// The community's notice template filled for one message: the title cut to
/// what the provider takes, and the page's path.
pub fn default_template(
    cfg: &AliyunConfig,
    m: &Outgoing,
) -> Option<(String, Vec<(String, String)>)> {
    if cfg.template_code.is_empty() {
        return None;
    }
    let title: String = m.title.chars().take(MAX_PARAM_CHARS).collect();
    let path = m
        .link
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| m.link.clone());
    Some((
        cfg.template_code.clone(),
        vec![("title".into(), title), ("path".into(), path)],
    ))
}

fn default_region() -> String {
    "cn-hangzhou".into()
}

/// Percent-encodes as the provider's signing rules say: RFC 3986, UTF-8,
/// only `A–Z a–z 0–9 - _ . ~` left as they are, a space as `%20`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The canonicalized query string: parameters sorted by name, each name and
/// value encoded, joined with `=` and `&`. `Signature` is never part of it.
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)`.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// `Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`.
pub fn signature(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign(method, params).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The full query of a signed GET request: `Signature=…&` and the canonical query.
pub fn signed_query(params: &BTreeMap<String, String>, secret: &str) -> String {
    format!(
        "Signature={}&{}",
        percent_encode(&signature("GET", params, secret)),
        canonical_query(params)
    )
}

/// What one SendSms request carries, before signing.
pub struct SendSms<'a> {
    pub phone: &'a str,
    pub template_code: &'a str,
    pub template_params: &'a [(String, String)],
    /// Our idempotency key, echoed back by the provider's receipts.
    pub out_id: &'a str,
    pub nonce: &'a str,
    /// UTC, `yyyy-MM-ddTHH:mm:ssZ`.
    pub timestamp: &'a str,
}

/// The request's parameters, common and SendSms's own.
pub fn send_params(cfg: &AliyunConfig, s: &SendSms<'_>) -> BTreeMap<String, String> {
    let tp: serde_json::Map<String, serde_json::Value> = s
        .template_params
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let pairs = [
        ("AccessKeyId", cfg.access_key_id.as_str()),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("OutId", s.out_id),
        ("PhoneNumbers", s.phone),
        ("RegionId", cfg.region_id.as_str()),
        ("SignName", cfg.sign_name.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", s.nonce),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", s.template_code),
        ("Timestamp", s.timestamp),
        ("Version", API_VERSION),
    ];
    let mut p: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    p.insert(
        "TemplateParam".into(),
        serde_json::Value::Object(tp).to_string(),
    );
    p
}

/// A template's code and parameters, checked.
pub type Checked<'t> = (&'t str, &'t [(String, String)]);

/// Checks what the provider would refuse before anything is sent: no
/// template, a phone that is not a mainland mobile number, an over-long parameter.
pub fn check<'t>(
    m: &Outgoing,
    template: &'t Option<(String, Vec<(String, String)>)>,
) -> Result<Checked<'t>, SendError> {
    let Some((code, params)) = template else {
        return Err(SendError::Fail(Msg::new(
            "短信只能用已审核的模板发送，这条通知没有短信模板",
            "SMS goes out only through an approved template, and this notice has none",
        )));
    };
    let digits =
        m.to.len() == 11 && m.to.starts_with('1') && m.to.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(SendError::Fail(Msg::new(
            "收件人的手机号不是 11 位大陆手机号",
            "the recipient's phone is not an 11-digit mainland mobile number",
        )));
    }
    if let Some((k, _)) = params
        .iter()
        .find(|(_, v)| v.chars().count() > MAX_PARAM_CHARS)
    {
        return Err(SendError::Fail(Msg::new(
            format!("短信模板参数「{k}」超过 {MAX_PARAM_CHARS} 个字"),
            format!("SMS template parameter '{k}' is longer than {MAX_PARAM_CHARS} characters"),
        )));
    }
    Ok((code, params))
}

/// The provider's answer, read from its JSON body.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    biz_id: String,
}

/// Sorts the provider's refusals: throttling and its own trouble are worth a
/// retry, anything about the request or the account is not.
fn refusal(code: &str, message: &str) -> SendError {
    let m = Msg::new(
        format!("短信平台拒绝：{code}（{message}）"),
        format!("the SMS provider refused: {code} ({message})"),
    );
    let temporary = code.contains("LIMIT_CONTROL")
        || code.starts_with("Throttling")
        || code == "ServiceUnavailable"
        || code == "InternalError"
        || code == "isp.SYSTEM_ERROR";
    if temporary {
        SendError::Retry(m)
    } else {
        SendError::Fail(m)
    }
}

/// A community's Alibaba Cloud SMS channel.
pub struct AliyunSms {
    cfg: AliyunConfig,
    secret: String,
    http: reqwest::Client,
}

impl AliyunSms {
    pub fn new(cfg: AliyunConfig, secret: String, http: reqwest::Client) -> Self {
        AliyunSms { cfg, secret, http }
    }

    async fn send_one(&self, m: &Outgoing) -> Result<String, SendError> {
        let template = m
            .template
            .clone()
            .or_else(|| default_template(&self.cfg, m));
        let (code, params) = check(m, &template)?;
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let timestamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let p = send_params(
            &self.cfg,
            &SendSms {
                phone: &m.to,
                template_code: code,
                template_params: params,
                out_id: &m.idempotency_key,
                nonce: &nonce,
                timestamp: &timestamp,
            },
        );
        let url = format!("{}?{}", self.cfg.endpoint, signed_query(&p, &self.secret));
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| super::http::http_error(&e))?;
        let status = resp.status();
        let text = super::http::bounded_text(resp).await?;
        let answer: Answer = serde_json::from_str(&text).map_err(|_| {
            let m = Msg::new(
                format!("短信平台的回答看不懂（HTTP {status}）"),
                format!("the SMS provider's answer could not be read (HTTP {status})"),
            );
            if status.is_server_error() {
                SendError::Retry(m)
            } else {
                SendError::Fail(m)
            }
        })?;
        if answer.code == "OK" {
            Ok(answer.biz_id)
        } else {
            Err(refusal(&answer.code, &answer.message))
        }
    }
}

impl Channel for AliyunSms {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }
    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(self.send_one(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The worked example of the SMS signing page (SendSms, testId/testSecret).
    fn doc_send_sms() -> BTreeMap<String, String> {
        map(&[
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ])
    }

    #[test]
    fn signs_the_documented_send_sms_example() {
        let p = doc_send_sms();
        assert_eq!(
            string_to_sign("GET", &p),
            "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123\
             %26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF\
             %25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF\
             %2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce\
             %3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode\
             %3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D\
             %26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
        );
        assert_eq!(
            signature("GET", &p, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
        assert!(
            signed_query(&p, "testSecret")
                .starts_with("Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&")
        );
    }

    #[test]
    fn signs_the_documented_rpc_example_and_ignores_a_signature_parameter() {
        let mut p = map(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]);
        assert_eq!(
            signature("GET", &p, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
        p.insert("Signature".into(), "stale".into());
        assert_eq!(
            signature("GET", &p, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn encodes_as_rfc_3986_not_as_a_form() {
        assert_eq!(percent_encode("a b*~"), "a%20b%2A~");
        assert_eq!(percent_encode("/=&+"), "%2F%3D%26%2B");
        assert_eq!(percent_encode("议"), "%E8%AE%AE");
    }

    #[test]
    fn send_params_carry_the_template_and_our_key() {
        let cfg = AliyunConfig {
            endpoint: DEFAULT_ENDPOINT.into(),
            access_key_id: "LTAI-x".into(),
            sign_name: "梧桐社区".into(),
            region_id: default_region(),
            template_code: String::new(),
        };
        let params = vec![("title".to_string(), "加装电梯表决".to_string())];
        let p = send_params(
            &cfg,
            &SendSms {
                phone: "13800000000",
                template_code: "SMS_1",
                template_params: &params,
                out_id: "th-wutong-7",
                nonce: "n",
                timestamp: "2026-01-01T00:00:00Z",
            },
        );
        assert_eq!(p["TemplateParam"], r#"{"title":"加装电梯表决"}"#);
        assert_eq!(p["OutId"], "th-wutong-7");
        assert_eq!(p["Version"], API_VERSION);
        assert!(!p.contains_key("Signature"));
    }

    fn outgoing(to: &str, template: Option<(String, Vec<(String, String)>)>) -> Outgoing {
        Outgoing {
            delivery_id: 1,
            community_slug: "wutong".into(),
            to: to.into(),
            title: "t".into(),
            body: "b".into(),
            link: "http://x/".into(),
            unsubscribe: "http://x/u".into(),
            template,
            idempotency_key: "th-wutong-1".into(),
        }
    }

    #[test]
    fn refuses_free_text_bad_phones_and_long_parameters_before_sending() {
        let t = || {
            Some((
                "SMS_1".to_string(),
                vec![("a".to_string(), "b".to_string())],
            ))
        };
        let c = |o: Outgoing| check(&o, &o.template.clone()).map(|_| ());
        assert!(
            matches!(c(outgoing("13800000000", None)), Err(SendError::Fail(m)) if m.en.contains("template"))
        );
        assert!(
            matches!(c(outgoing("010-1234", t())), Err(SendError::Fail(m)) if m.zh.contains("手机号"))
        );
        let long = Some((
            "SMS_1".to_string(),
            vec![("title".to_string(), "长".repeat(36))],
        ));
        assert!(
            matches!(c(outgoing("13800000000", long)), Err(SendError::Fail(m)) if m.en.contains("'title'"))
        );
        assert!(c(outgoing("13800000000", t())).is_ok());
    }

    #[test]
    fn the_communitys_template_carries_the_title_and_the_pages_path() {
        let mut cfg = AliyunConfig {
            endpoint: DEFAULT_ENDPOINT.into(),
            access_key_id: "k".into(),
            sign_name: "s".into(),
            region_id: default_region(),
            template_code: String::new(),
        };
        let mut o = outgoing("13800000000", None);
        o.link = "https://teahouse.example/c/wutong/votes/3".into();
        assert_eq!(default_template(&cfg, &o), None);
        cfg.template_code = "SMS_9".into();
        let (code, params) = default_template(&cfg, &o).unwrap();
        assert_eq!(code, "SMS_9");
        assert_eq!(
            params[1],
            ("path".to_string(), "/c/wutong/votes/3".to_string())
        );
    }

    #[test]
    fn throttling_is_retried_and_a_bad_request_is_not() {
        assert!(matches!(
            refusal("isv.BUSINESS_LIMIT_CONTROL", "x"),
            SendError::Retry(_)
        ));
        assert!(matches!(
            refusal("Throttling.User", "x"),
            SendError::Retry(_)
        ));
        assert!(matches!(
            refusal("isv.MOBILE_NUMBER_ILLEGAL", "x"),
            SendError::Fail(_)
        ));
        assert!(matches!(
            refusal("SignatureDoesNotMatch", "x"),
            SendError::Fail(_)
        ));
    }
}
