DROP TABLE qr_disclosures;
DROP TABLE certificates;
