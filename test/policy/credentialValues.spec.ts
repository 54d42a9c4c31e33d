/**
 * Issue 16 class 5: a value that is a credential is a secret whatever its name: names that read as
 * references (*_HEADER, *_NAME, *_ID, *_PATH...) exempt the name, never the value.
 */
import { expect } from "chai";

import { credentialShapes } from "../../policypack/lib/credentialValues";
import { lambdaNoPlaintextSecrets, ssmParameterNoPlaintextSecrets } from "../../policypack/policies/compute";
import { resourceArgs, runResourcePolicy } from "../harness/policy";

// Built at run time so no scanner mistakes this file for a leak.
const b64 = (text: string) => Buffer.from(text).toString("base64");
const BASIC = `Basic ${b64(["svc-shipper", "Wq8#mZ2pLr"].join(":"))}`;
const BEARER = ["Bearer ", "k3Jd9QpL0xZt7VbN2mYc8RwE5uHa"].join("");
const JWT = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6ImFkbWluIn0", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"].join(".");
const SECRET_KEY = ["wJalrXUtnFEMI", "K7MDENGbPxRfiCY9x2Lq4ZtK"].join("/");
const API_KEY = ["Zx81", "PqRt7LmNa2Vb9KcYw4Hd"].join("");

const fn = (variables: Record<string, unknown>) => runResourcePolicy(lambdaNoPlaintextSecrets, resourceArgs("aws:lambda/function:Function", { environment: { variables } }));
const names = (violations: { message: string }[]) => violations.map((violation) => violation.message.split(" ")[2]);
const text = (violations: { message: string }[]) => violations.map((violation) => violation.message).join("\n");

describe("issue 16 class 5: credentials recognised by value, whatever the name", function () {
    it("blocks credentials under names that read as references, and never prints them", async function () {
        const variables = {
            ES_AUTH_HEADER: BASIC,
            API_AUTH_HEADER: BEARER,
            SESSION_TOKEN_NAME: JWT,
            UPSTREAM_KEY_ID: SECRET_KEY,
            PARTNER_API_KEY_PATH: API_KEY,
            DB_SECRET_ID: "Server=db;Database=app;User Id=app;Password=Wq8mZ2pLr;",
            REPORT_URL_ENDPOINT: "https://reports.example.com/v1/export?format=csv&api_key=9f8e7d6c5b4a",
            HOOK_HEADERS_TYPE: '{"X-Api-Key": "Kd93mQz81LpX"}',
            SIGNED_URL_PATH: "https://b.s3.amazonaws.com/k?X-Amz-Expires=60&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            BROKER_HOST: "amqp://app:Pa55word@mq:5672",
        };
        const violations = await fn(variables);
        expect(names(violations)).to.have.members(Object.keys(variables));
        for (const value of [BASIC, BEARER, JWT, SECRET_KEY, API_KEY, "Wq8mZ2pLr", "9f8e7d6c5b4a", "Kd93mQz81LpX", "Pa55word"]) {
            expect(text(violations)).to.not.contain(value);
        }
    });

    it("names the shape it found", function () {
        expect(credentialShapes(BASIC)).to.deep.equal(["an HTTP Basic authorization credential"]);
        expect(credentialShapes(BEARER)).to.deep.equal(["an HTTP Bearer authorization credential"]);
        expect(credentialShapes(`Bearer ${JWT}`)).to.include("a JSON Web Token");
        expect(credentialShapes("AWS4-HMAC-SHA256 Credential=x/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=abc")).to.include("an AWS Signature V4 authorization header");
        expect(credentialShapes(API_KEY)).to.deep.equal(["an API-key-like token (a long random mix of letters and digits)"]);
        expect(credentialShapes("Endpoint=sb://bus.example.net/;SharedAccessKeyName=send;SharedAccessKey=Zx81PqRt7LmN=")).to.include("a sharedaccesskey= credential inside the value");
    });

    it("passes the look-alikes: header names, schemes without a credential, placeholders, references, ids and ordinary settings", async function () {
        expect(
            await fn({
                ES_AUTH_HEADER: "Authorization",
                API_KEY_HEADER: "X-Api-Key",
                UPSTREAM_SCHEME: "Bearer authentication",
                AUTH_MODE: "Basic",
                TOKEN_NAME: "/app/prod/api-token",
                PASSWORD_PARAMETER: "/app/prod/db-password",
                DB_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-Ab12Cd",
                CONNECTION_TEMPLATE: "Server=db;Database=app;Password=${DB_PASSWORD};",
                QUERY: "https://reports.example.com/v1/export?format=csv&token=",
                TOKEN_TTL_SECONDS: "300",
                KMS_KEY_ID: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
                LOG_GROUP: "/aws/lambda/shipper-1a2b3c4",
                KPI_BUCKET: "kpi-bucket-441b454",
                DEAD_LETTER_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/shipper-dlq-9f8e7d6",
                CODE_SHA256: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
                NODE_OPTIONS: "--enable-source-maps",
                POWERTOOLS_SERVICE_NAME: "log-shipper",
                FEATURE_FLAGS: "secret-scanning=true,pass-through=false",
            }),
        ).to.deep.equal([]);
    });

    it("checks SSM String parameters the same way, whatever they are called", async function () {
        const parameter = (name: string, value: string) => runResourcePolicy(ssmParameterNoPlaintextSecrets, resourceArgs("aws:ssm/parameter:Parameter", { name, type: "String", value }));
        expect(text(await parameter("/app/upstream/auth-header", BASIC))).to.contain("Basic authorization credential");
        expect(await parameter("/app/upstream/header", "Authorization")).to.deep.equal([]);
    });
});
