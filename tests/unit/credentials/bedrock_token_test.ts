/**
 * The Bedrock token against a fixed vector. The expected token was produced
 * by AWS's own `@aws/bedrock-token-generator` 1.1.0 (`getToken`) with these
 * credentials, region and a clock frozen at 2025-01-02T03:04:05Z; its
 * signature was also checked against botocore 1.43.11's `SigV4QueryAuth`.
 */
import {
  bedrockToken,
  MAX_TOKEN_SECONDS,
  tokenLifetime,
} from "../../../lib/credentials/bedrock_token.ts";
import { assertEquals, assertRejects } from "../../_assert.ts";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "tok/en+=",
};
const NOW = new Date("2025-01-02T03:04:05Z");

const EXPECTED = "bedrock-api-key-" +
  "YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbiZYLUFtei1BbGdvcml0aG09" +
  "QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFLSURFWEFNUExFJTJGMjAyNTAxMDIlMkZ1cy1lYXN0" +
  "LTElMkZiZWRyb2NrJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNTAxMDJUMDMwNDA1WiZYLUFtei1FeHBp" +
  "cmVzPTQzMjAwJlgtQW16LVNlY3VyaXR5LVRva2VuPXRvayUyRmVuJTJCJTNEJlgtQW16LVNpZ25hdHVyZT05ZjVi" +
  "NTcwMzczOTRlZjUzNWYyZDY3NzIzNjIyNmRlMDI4OTU4NzZlMzliZjdkYjRmMjYyOTEwNmYzY2FiMDYyJlgtQW16" +
  "LVNpZ25lZEhlYWRlcnM9aG9zdCZWZXJzaW9uPTE=";

Deno.test("bedrockToken() matches AWS's token generator for fixed inputs", async () => {
  const token = await bedrockToken({
    credentials: CREDENTIALS,
    region: "us-east-1",
    expiresInSeconds: MAX_TOKEN_SECONDS,
    now: NOW,
  });
  assertEquals(token, EXPECTED);
});

Deno.test("bedrockToken() signs for the given region and lifetime", async () => {
  const token = await bedrockToken({
    credentials: CREDENTIALS,
    region: "eu-west-2",
    expiresInSeconds: 600,
    now: NOW,
  });
  const url = atob(token.slice("bedrock-api-key-".length));
  assertEquals(url.startsWith("bedrock.amazonaws.com/?Action=CallWithBearerToken&"), true);
  assertEquals(url.endsWith("&Version=1"), true);
  const query = new URLSearchParams(url.slice(url.indexOf("?") + 1));
  assertEquals(
    query.get("X-Amz-Credential"),
    "AKIDEXAMPLE/20250102/eu-west-2/bedrock/aws4_request",
  );
  assertEquals(query.get("X-Amz-Expires"), "600");
});

Deno.test("bedrockToken() refuses a lifetime over 12 hours", async () => {
  await assertRejects(
    () =>
      bedrockToken({
        credentials: CREDENTIALS,
        region: "us-east-1",
        expiresInSeconds: MAX_TOKEN_SECONDS + 1,
        now: NOW,
      }),
    RangeError,
    "1 to 43200",
  );
});

Deno.test("tokenLifetime() is 12 hours when the credentials outlive it", () => {
  assertEquals(tokenLifetime(NOW, new Date("2025-01-03T00:00:00Z")), {
    seconds: 43200,
    limitedByCredentials: false,
  });
  assertEquals(tokenLifetime(NOW, undefined), { seconds: 43200, limitedByCredentials: false });
});

Deno.test("tokenLifetime() is the credentials' remaining life when shorter", () => {
  assertEquals(tokenLifetime(NOW, new Date("2025-01-02T04:04:05.900Z")), {
    seconds: 3600,
    limitedByCredentials: true,
  });
});

Deno.test("tokenLifetime() is null once the credentials have expired", () => {
  assertEquals(tokenLifetime(NOW, new Date("2025-01-02T03:04:05Z")), null);
});
