"""The fixture that stands a real AWS API (moto's server) up for the tests."""

import boto3


def test_aws_fixture_serves_s3_over_http(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="trail-bucket")
    assert ["trail-bucket"] == [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert aws.startswith("http://127.0.0.1:")


def test_aws_fixture_starts_each_test_from_an_empty_state(aws):
    assert [] == boto3.client("s3").list_buckets()["Buckets"]
